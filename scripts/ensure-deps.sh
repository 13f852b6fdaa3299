#!/usr/bin/env bash
# Makes sure the native libraries OpenCV and ScottPlot need are present.
# As root it installs them; otherwise it stops with the exact apt-get line to run.
# Extra Debian packages may be named as arguments (e.g. `scripts/ensure-deps.sh ffmpeg`).
set -euo pipefail
pkgs=(libgtk-3-0 fonts-dejavu-core "$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing ${missing[*]} ..." >&2
    # Another apt or dpkg (unattended upgrades, a second shell) may hold apt's locks: wait for it up to 5 minutes
    # instead of failing at once with apt's raw "Could not get lock" message.
    wait_s=${APT_LOCK_WAIT_S:-300}
    lock=(-o "DPkg::Lock::Timeout=$wait_s" -o "Acquire::Retries=3")
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    busy() { grep -qiE "could not get lock|unable to acquire|is another process using it" "$log"; }
    # apt-get update does not wait for the lists lock itself: retry while the lock is held.
    apt_retry() {
      local start=$SECONDS
      while ! "$@" >"$log" 2>&1; do
        busy && [ $((SECONDS - start)) -lt "$wait_s" ] || return 1
        sleep 3
      done
    }
    if ! apt_retry apt-get "${lock[@]}" update -qq ||
       ! DEBIAN_FRONTEND=noninteractive apt_retry apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}"; then
      if busy; then
        holder=$( (command -v fuser >/dev/null && fuser /var/lib/dpkg/lock-frontend /var/lib/apt/lists/lock 2>/dev/null) | xargs -n1 | sort -u | xargs || true)
        echo "ensure-deps: apt is busy: another apt/dpkg process${holder:+ (pid $holder)} held its lock for ${wait_s} s;" \
             "wait for it to finish (ps aux | grep -E 'apt|dpkg'), then run this again" >&2
      else
        echo "ensure-deps: could not install ${missing[*]} with apt-get; its last lines:" >&2
        tail -n 5 "$log" >&2
      fi
      exit 1
    fi
  else
    echo "missing native packages; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
if ! command -v dotnet >/dev/null 2>&1; then
  echo "the .NET 10 SDK is needed (dotnet not on PATH): https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
  exit 1
fi
