# syntax=docker/dockerfile:1
# The web UI (Leptos, WebAssembly) served by unprivileged nginx on 8080, which
# also proxies /api, /mcp, /healthz and /readyz to the backend (BACKEND_URL).
#
#   docker build -f infra/docker/frontend.Dockerfile -t todo-chatbot-frontend:0.1.0 .
#   docker run -p 8080:8080 -e BACKEND_URL=http://backend:8080 todo-chatbot-frontend:0.1.0

# ---- toolchain: cargo-chef (this layer is shared with the backend's build),
# the wasm target, Node.js for binaryen's wasm-opt
FROM docker.io/library/rust:1.95-slim-bookworm AS chef
ARG CARGO_CHEF_VERSION=0.1.77
ENV CARGO_TERM_COLOR=never \
    CARGO_INCREMENTAL=0
RUN cargo install --locked --version "${CARGO_CHEF_VERSION}" cargo-chef \
 && rm -rf "${CARGO_HOME:-/usr/local/cargo}/registry"
# npm fetches the pinned binaryen (wasm-opt) for `cargo xtask web`: Debian's
# binaryen 108 emits a wasm whose externref table browsers reject. Node only
# runs wasm-opt in this build stage, so any bookworm release of it will do.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/* \
 && rustup target add wasm32-unknown-unknown
WORKDIR /build

# ---- the wasm-bindgen version in Cargo.lock (the CLI must match it exactly)
# and the binaryen version `cargo xtask web` pins
FROM chef AS versions
COPY Cargo.lock ./
COPY xtask/src/web.rs ./
RUN sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' Cargo.lock > /wasm-bindgen.version \
 && test -s /wasm-bindgen.version \
 && sed -n 's/^const BINARYEN_VERSION: &str = "\(.*\)";$/\1/p' web.rs > /binaryen.version

# ---- wasm-bindgen-cli at that version (rebuilt only when it changes); with
# its published lock file, or resolved afresh if the registry (a mirror
# behind crates.io) lacks a version that lock file names
FROM chef AS tools
COPY --from=versions /wasm-bindgen.version /wasm-bindgen.version
RUN version="$(cat /wasm-bindgen.version)" \
 && { cargo install --locked --version "$version" wasm-bindgen-cli \
      || cargo install --version "$version" wasm-bindgen-cli; } \
 && test "$(wasm-bindgen --version)" = "wasm-bindgen $version" \
 && rm -rf "${CARGO_HOME:-/usr/local/cargo}/registry"

# ---- recipe: the workspace's manifests and lock file only
FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

# ---- build: dependencies (cached while the recipe is unchanged), then the UI
# with `cargo xtask web` (wasm-release profile, wasm-bindgen, wasm-opt, hashed
# names, .gz siblings). The .br siblings are dropped: this nginx has no brotli.
FROM tools AS builder
COPY --from=planner /build/recipe.json recipe.json
# Patched crates (the workspace's [patch]) are real sources, not stand-ins.
COPY vendor vendor
RUN cargo chef cook --profile wasm-release --locked --target wasm32-unknown-unknown \
      --package todo-web --recipe-path recipe.json \
 && cargo chef cook --locked --package xtask --recipe-path recipe.json
# binaryen from npm where `cargo xtask web` looks for it, in its own layer
# (without a version found, xtask installs it itself)
COPY --from=versions /binaryen.version /binaryen.version
RUN version="$(cat /binaryen.version)" \
 && if [ -n "$version" ]; then \
      npm install --no-audit --no-fund --loglevel=error \
        --prefix="${HOME:-/root}/.cache/todo-chatbot/tools/binaryen-$version" "binaryen@$version"; \
    fi
COPY . .
RUN cargo xtask web --release --out /out \
 && test -f /out/index.html \
 && find /out -name '*.br' -delete \
 && chmod -R a+rX,go-w /out

# ---- runtime: nginx as uid 101; the config is rendered into /tmp at start
FROM docker.io/nginxinc/nginx-unprivileged:1.28-alpine-slim
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="todo-chatbot-frontend" \
      org.opencontainers.image.description="Todo Chatbot's web UI on nginx, proxying the API to the backend" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="docker.io/nginxinc/nginx-unprivileged:1.28-alpine-slim"
COPY infra/nginx/nginx.conf.template infra/nginx/render.sh infra/nginx/entrypoint.sh /etc/nginx/todo/
COPY --from=builder /out/ /usr/share/nginx/html/
ENV BACKEND_URL=http://backend:8080 \
    LISTEN_PORT=8080
USER 101:101
EXPOSE 8080
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/bin/sh", "-c", "wget -q -O /dev/null \"http://127.0.0.1:${LISTEN_PORT:-8080}/nginx-healthz\""]
ENTRYPOINT ["/etc/nginx/todo/entrypoint.sh"]
