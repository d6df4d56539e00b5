# syntax=docker/dockerfile:1
# Conclave's images for docker-compose.yml (see docs/self-hosting.md):
#   target "app"    the server and the built web app (the default target)
#   target "coturn" Debian's coturn with scripts/coturn/entrypoint.sh
#
# The mediasoup worker is built by scripts/mediasoup-worker/build.sh, the
# script `npm start` and `npm test` use, from Debian bookworm's libraries:
# the binary in the image is built exactly the way the tested one was.

# ---------------------------------------------------------------- build
FROM node:20-bookworm AS build
ENV CI=true
WORKDIR /src
COPY . .
# pnpm at the version package.json pins (corepack's bundled keys cannot verify recent pnpm releases).
RUN npm install -g --no-audit --no-fund "$(node -p "require('./package.json').packageManager")"
RUN pnpm install --frozen-lockfile
# The worker build caches its binary by mediasoup version + recipe hash under
# CONCLAVE_CACHE_DIR; with a BuildKit cache there, a rebuild of the image
# skips the ~5-minute compile unless mediasoup or the recipe changed.
RUN --mount=type=cache,id=conclave-mediasoup-worker,target=/root/.cache/conclave \
    cp "$(bash scripts/mediasoup-worker/build.sh)" /usr/local/bin/mediasoup-worker
# The Debian packages the worker links against, for the runtime image. (dpkg
# knows a library by its /lib or its /usr/lib path, whichever it was packaged
# under: bookworm merged the two.)
RUN for lib in $(ldd /usr/local/bin/mediasoup-worker | awk '/=> \// { print $3 }'); do \
      dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" || exit 1; \
    done > /tmp/worker-libs \
    && cut -d: -f1 /tmp/worker-libs | sort -u > /worker-runtime-packages \
    && cat /worker-runtime-packages
RUN pnpm -r --workspace-concurrency=1 run build
# Keep only what runs: production dependencies (a fresh install from the
# store, so no development package stays behind), built code, the web app.
RUN rm -rf node_modules apps/*/node_modules packages/*/node_modules \
    && pnpm install --prod --frozen-lockfile --offline \
    && rm -rf e2e bench test-results .cache packages/*/src apps/web/src apps/web/public \
    && find apps packages -name '*.test.*' -delete

# ---------------------------------------------------------------- coturn
FROM debian:bookworm-slim AS coturn
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends coturn \
    && rm -rf /var/lib/apt/lists/*
COPY scripts/coturn/entrypoint.sh /usr/local/bin/conclave-coturn
# docker-compose.yml mounts coturn.conf at /etc/coturn/conclave.conf.
ENTRYPOINT ["/usr/local/bin/conclave-coturn"]

# ---------------------------------------------------------------- app
FROM node:20-bookworm-slim AS app
COPY --from=build /worker-runtime-packages /tmp/worker-runtime-packages
RUN apt-get update \
    && xargs -a /tmp/worker-runtime-packages env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    && rm -rf /var/lib/apt/lists/* /tmp/worker-runtime-packages
COPY --from=build /usr/local/bin/mediasoup-worker /usr/local/bin/mediasoup-worker
RUN ! ldd /usr/local/bin/mediasoup-worker | grep 'not found'
COPY --from=build /src /app
RUN mkdir -p /data && chown node:node /data
WORKDIR /app
ENV NODE_ENV=production \
    MEDIASOUP_WORKER_BIN=/usr/local/bin/mediasoup-worker \
    CONCLAVE_DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=3000
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "scripts/healthcheck.mjs"]
CMD ["node", "apps/server/dist/main.js"]
