const whole = new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR", maximumFractionDigits: 0 })
const paise = new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR", minimumFractionDigits: 2 })

/** Rupees with Indian digit grouping: ₹1,29,900 (paise only when there are some: ₹2,099.30). */
export const rupees = (amount: number) => (Number.isInteger(amount) ? whole : paise).format(amount)

const dateTime = new Intl.DateTimeFormat("en-IN", { dateStyle: "medium", timeStyle: "short" })
const dateOnly = new Intl.DateTimeFormat("en-IN", { dateStyle: "medium" })

export const formatDateTime = (iso: string) => dateTime.format(new Date(iso))
export const formatDate = (iso: string) => dateOnly.format(new Date(iso))

export const titleCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).replaceAll("_", " ")
