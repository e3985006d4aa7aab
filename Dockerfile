# A small static image of kinesim for Kubernetes (kinesim k8s prints the Job
# that runs it). Build from the repository's root:
#
#   docker build --build-arg VERSION=$(git describe --always --dirty) -t kinesim:dev .
#
# The binary is static (CGO_ENABLED=0) on distroless's static base, which
# has CA certificates (for HTTPS to AWS) and time zones, no shell, and runs
# as the unprivileged user 65532 (the Job sets runAsNonRoot).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/kinesim ./cmd/kinesim

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kinesim /usr/local/bin/kinesim
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/kinesim"]
