export const SERVICE_NAME = "flipkart-monolith"
export const SERVICE_VERSION = "1.0.0"
