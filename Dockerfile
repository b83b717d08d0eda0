# One image for every app; the compose file picks the process with `command`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Listen on all interfaces inside the container (the apps default to loopback).
ENV HOST=0.0.0.0
# A larger young generation (V8's default semi-space is 16 MB): short-lived request objects die there instead of being
# promoted, and scavenges stay short. The token API's p99 at 2,000 req/s went from 16.5 to 3.0 ms (README, Performance).
ENV NODE_OPTIONS=--max-semi-space-size=64
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
COPY package.json ./
USER node
CMD ["node", "dist/apps/auth/src/main.js"]
