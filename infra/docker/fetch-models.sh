#!/usr/bin/env bash
# Copies one converted model directory (src/export/FORMAT.md) from the storage account's `models` blob container to
# the replica's local model volume, before the Functions host starts: the init container of
# infra/modules/functionapp.bicep runs it from the app's own image. It signs in with the container app's
# user-assigned managed identity (the account allows no shared key, so no SAS and no Azure Files mount either).
#
# Environment:
#   MODELS_CONTAINER_URL  https://<account>.blob.core.windows.net/models
#   MODELS_PREFIX         the model directory's name in the container (blobs <prefix>/manifest.json, ...)
#   MODELS_TARGET         where to write it (default /mnt/models; Glide__ModelDirectory points there)
#   AZURE_CLIENT_ID       the user-assigned identity's client id
#   IDENTITY_ENDPOINT, IDENTITY_HEADER
#                         the managed identity endpoint Container Apps gives every container allowed to use it
#
# Exits non-zero, naming the cause, when the identity, the listing or a download fails or no manifest.json arrives.
set -euo pipefail

readonly storage_api_version=2021-08-06

fail() {
    echo "fetch-models: $*" >&2
    exit 1
}

require() {
    [[ -n "${!1:-}" ]] || fail "$1 is not set ($2)"
}

urlencode() {
    local text=$1 out='' char i
    for ((i = 0; i < ${#text}; i++)); do
        char=${text:i:1}
        case "$char" in
            [A-Za-z0-9._~-]) out+=$char ;;
            *) out+=$(printf '%%%02X' "'$char") ;;
        esac
    done
    printf '%s' "$out"
}

xml_unescape() {
    sed -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&amp;/\&/g'
}

require MODELS_CONTAINER_URL "the models container URL, e.g. https://<account>.blob.core.windows.net/models"
require MODELS_PREFIX "the model directory inside the container"
require IDENTITY_ENDPOINT "Container Apps sets it when the app has a managed identity the init container may use"
require IDENTITY_HEADER "Container Apps sets it with IDENTITY_ENDPOINT"
container_url=${MODELS_CONTAINER_URL%/}
prefix=${MODELS_PREFIX#/}
prefix=${prefix%/}
target=${MODELS_TARGET:-/mnt/models}
[[ "$prefix" =~ ^[A-Za-z0-9._/-]+$ ]] || fail "MODELS_PREFIX '$prefix' must be letters, digits, '.', '_', '-' and '/'"

# 1. A storage token for the user-assigned identity (Container Apps' identity endpoint, API version 2019-08-01).
token_url="${IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=$(urlencode https://storage.azure.com/)"
if [[ -n "${AZURE_CLIENT_ID:-}" ]]; then
    token_url+="&client_id=$(urlencode "$AZURE_CLIENT_ID")"
fi
token_json=$(curl -fsS --retry 5 --retry-delay 2 --retry-connrefused -H "X-IDENTITY-HEADER: ${IDENTITY_HEADER}" "$token_url") ||
    fail "no token from the managed identity endpoint: does the app's identity allow init containers (identitySettings lifecycle)?"
token=$(printf '%s' "$token_json" | sed -n 's/.*"access_token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')
[[ -n "$token" ]] || fail "the managed identity endpoint answered without an access_token"

storage_get() {
    curl -fsS --retry 5 --retry-delay 2 --retry-connrefused -H "Authorization: Bearer ${token}" -H "x-ms-version: ${storage_api_version}" "$@"
}

# 2. The blobs under <prefix>/ (List Blobs, following NextMarker).
names=()
marker=''
while :; do
    list_url="${container_url}?restype=container&comp=list&prefix=$(urlencode "$prefix/")"
    if [[ -n "$marker" ]]; then
        list_url+="&marker=$(urlencode "$marker")"
    fi
    page=$(storage_get "$list_url") ||
        fail "listing ${container_url} failed: does the identity have Storage Blob Data Reader (or Owner) on it?"
    while IFS= read -r name; do
        [[ -n "$name" ]] && names+=("$name")
    done < <(printf '%s' "$page" | grep -o '<Name>[^<]*</Name>' | sed -e 's/<Name>//' -e 's/<\/Name>//' | xml_unescape || true)
    marker=$(printf '%s' "$page" | sed -n 's/.*<NextMarker>\([^<]*\)<\/NextMarker>.*/\1/p' | xml_unescape)
    [[ -n "$marker" ]] || break
done
((${#names[@]} > 0)) ||
    fail "no blobs under ${container_url}/${prefix}/: upload the converted model directory first (infra/README.md, \"Models\")"

# 3. Each blob to <target>/<path below the prefix>, through a .partial file so no half-written graph is left.
mkdir -p "$target"
bytes=0
start=$SECONDS
for name in "${names[@]}"; do
    [[ "$name" =~ ^[A-Za-z0-9._/-]+$ && "$name" != *..* ]] || fail "refusing blob name '$name' (unexpected characters)"
    relative=${name#"$prefix/"}
    destination="$target/$relative"
    mkdir -p "$(dirname "$destination")"
    storage_get -o "$destination.partial" "${container_url}/${name}" || fail "downloading ${name} failed"
    mv "$destination.partial" "$destination"
    bytes=$((bytes + $(stat -c %s "$destination")))
done

[[ -f "$target/manifest.json" ]] ||
    fail "${container_url}/${prefix}/ holds no manifest.json: upload the whole model directory (src/export/FORMAT.md)"
echo "fetch-models: ${#names[@]} files, $((bytes / 1048576)) MiB from ${container_url}/${prefix}/ to ${target} in $((SECONDS - start)) s"
