# The petstore services: `docker compose up` builds this image.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -p tsconfig.build.json && node scripts/build-web.js && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The data folder, where the API keeps the JWT secret it generates when JWT_SECRET is unset.
RUN mkdir .petstore && chown node:node .petstore
USER node
CMD ["node", "dist/cli/index.js", "serve"]
