#!/usr/bin/env bash
# The domain crate must stay free of I/O crates: no web framework, ORM, database
# driver, HTTP client or AWS SDK anywhere in its dependency tree (with or without
# its `mock` feature).
set -euo pipefail

forbidden='^(actix|awc|diesel|tokio-postgres|postgres|sqlx|aws-|hyper|reqwest|h2|rustls|native-tls|openssl|mio)'
status=0
for features in "" "--features mock"; do
  # shellcheck disable=SC2086
  found=$(cargo tree -p posthawk-domain -e normal --prefix none $features | awk '{print $1}' | sort -u | grep -E "$forbidden" || true)
  if [ -n "$found" ]; then
    echo "posthawk-domain ${features:-(default features)} depends on I/O crates:" >&2
    echo "$found" >&2
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "layering ok: posthawk-domain depends on no I/O crate"
exit "$status"
