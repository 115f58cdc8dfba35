# syntax=docker/dockerfile:1

# Node 24 runs src/*.ts directly (type stripping), so the server needs no build:
# one stage installs the production dependencies, one builds the web UI, the
# last only runs them. The same Node as development and CI (the `node`
# devDependency): 24.21.0.

FROM node:24.21.0-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional leaves out the embedded PostgreSQL (58 MB) that only a bare
# machine without DATABASE_URL uses. --ignore-scripts: argon2 loads the native
# binary shipped inside its npm package at run time (no compiler needed), and
# the web UI, which `prepare` would build, comes from the stage below.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund

FROM node:24.21.0-bookworm-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
COPY vite.config.ts ./
COPY scripts/build-web.ts ./scripts/
COPY src ./src
RUN node scripts/build-web.ts --force

FROM node:24.21.0-bookworm-slim AS runtime
# Without DATABASE_URL this image stops at once with a line saying to set it.
ENV NODE_ENV=production \
    PORT=5000 \
    HOST=0.0.0.0
WORKDIR /app
# Everything stays owned by root: the app runs as "node" and cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=web /app/dist/web ./dist/web
COPY package.json package-lock.json ./
COPY migrations ./migrations
COPY src ./src
USER node
EXPOSE 5000
# slim has no curl; Node's fetch does the probe. No shell form, so no shell is spawned.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||5000)+'/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node handles SIGTERM itself (graceful shutdown); docker-compose.yml adds a tiny
# init (init: true) so that signals are forwarded and orphaned children reaped.
CMD ["node", "src/main.ts"]
