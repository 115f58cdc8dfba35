# syntax=docker/dockerfile:1

# Node 24 runs src/*.ts directly (type stripping), so there is no build stage:
# one stage installs the production dependencies, the other only runs them.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# argon2 and embedded-postgres ship their native binaries inside their npm
# packages, so the slim image needs no compiler here.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=5000 \
    HOST=0.0.0.0
WORKDIR /app
# Everything stays owned by root: the app runs as "node" and cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY migrations ./migrations
COPY src ./src
# The one writable place: DATA_DIR of the embedded PostgreSQL, used only when
# DATABASE_URL is unset (a quick `docker run`; compose never needs it).
RUN install -d -o node -g node .data
USER node
EXPOSE 5000
# slim has no curl; Node's fetch does the probe. No shell form, so no shell is spawned.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||5000)+'/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node handles SIGTERM itself (graceful shutdown); docker-compose.yml adds a tiny
# init (init: true) so that signals are forwarded and orphaned children reaped.
CMD ["node", "src/main.ts"]
