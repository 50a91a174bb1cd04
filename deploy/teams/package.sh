#!/bin/sh
# Builds the Teams app package (a zip of manifest.json and the two icons at
# its root) with the bot's Microsoft app id filled in, for upload to the
# Teams admin center or the Developer Portal (docs/teams-setup.md).
#
#   MICROSOFT_APP_ID=<guid> deploy/teams/package.sh [out.zip]
#
# Uses only python3's standard library (zipfile), so no zip tool is needed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-alignbot-teams.zip}
app_id=${MICROSOFT_APP_ID:-}
if ! printf '%s' "$app_id" | grep -Eq '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'; then
    echo "MICROSOFT_APP_ID must be the bot's Microsoft app id (a GUID), e.g." >&2
    echo "  MICROSOFT_APP_ID=8f0d3c1e-2b6a-4e57-9c1d-0a1b2c3d4e5f $0" >&2
    exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s/\${MICROSOFT_APP_ID}/$app_id/g" "$here/manifest.json" > "$work/manifest.json"
cp "$here/color.png" "$here/outline.png" "$work/"
rm -f "$out"
(cd "$work" && python3 -m zipfile -c package.zip manifest.json color.png outline.png)
mv "$work/package.zip" "$out"
echo "wrote $out (manifest.json, color.png, outline.png) for app id $app_id"
