#!/bin/sh
# Renders the default warning payload: assets/payloads/warning-no-en.mp4 (+ .txt).
#
# A 26 s, 640x360, 10 fps H.264 (High, yuv420p) MP4 without audio, +faststart so
# players can start before the whole file arrives. Screen 1 (0-13 s) is Norwegian
# Bokmål, screen 2 (13-26 s) English: white DejaVu Sans on a plain dark background,
# the help lines in a distinct colour.
#
# Deterministic: same Debian ffmpeg/x264 + same font files => same bytes. We use one
# encoder thread (x264's frame threads may change decisions), strip all metadata,
# and ask the muxer and encoder for bitexact output (no version strings, no dates).
#
# Usage: scripts/render-default-payload.sh [OUT_DIR]   (default: assets/payloads)
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT_DIR=${1:-"$ROOT/assets/payloads"}
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
FONT_BOLD=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf

command -v ffmpeg >/dev/null 2>&1 || { echo "ffmpeg not found (apt-get install ffmpeg)" >&2; exit 1; }
if [ ! -f "$FONT" ] || [ ! -f "$FONT_BOLD" ]; then
  # drawtext needs a real font file; DejaVu is Debian's default and freely licensed.
  echo "DejaVu fonts missing; installing fonts-dejavu-core" >&2
  apt-get install -y --no-install-recommends fonts-dejavu-core >&2
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM

# Screen texts, wrapped by hand to fit 640 px at the chosen font sizes.
printf '%s' 'ADVARSEL FRA POLITIET' > "$TMP/no-title.txt"
cat > "$TMP/no-body.txt" <<'TEXT'
Denne filen ble delt fra en datamaskin
som tilhører politiet.

IP-adressen din og aktiviteten din
kan nå være kjent for politiet.

Å søke etter eller laste ned materiale som viser
seksuelle overgrep mot barn er straffbart,
og det skader barn.
TEXT
cat > "$TMP/no-help.txt" <<'TEXT'
Du kan få anonym og fortrolig hjelp:
detfinneshjelp.no   ·   helplinks.eu
TEXT

printf '%s' 'WARNING FROM THE POLICE' > "$TMP/en-title.txt"
cat > "$TMP/en-body.txt" <<'TEXT'
This file was shared from a computer
belonging to the police.

Your IP address and your activity
may now be known to the police.

Searching for or downloading material showing
sexual abuse of children is a crime,
and it harms children.
TEXT
cat > "$TMP/en-help.txt" <<'TEXT'
You can get anonymous, confidential help:
helplinks.eu   ·   in Norway: detfinneshjelp.no
TEXT

mkdir -p "$OUT_DIR"
# The plain-text transcript shipped next to the video: the same words as on screen.
transcript() { # transcript LANG HEADING
  echo "$2"; echo
  cat "$TMP/$1-title.txt"; echo; echo
  cat "$TMP/$1-body.txt"; echo
  cat "$TMP/$1-help.txt"
}
{ transcript no 'Norsk (bokmål), 0-13 s'; echo; transcript en 'English, 13-26 s'; } > "$OUT_DIR/warning-no-en.txt"

# expansion=none: the text is literal (no %{...} expansion).
dt() { # dt FONT FILE SIZE COLOR Y START END
  printf "drawtext=fontfile=%s:textfile=%s:expansion=none:fontsize=%s:fontcolor=%s:line_spacing=4:x=(w-text_w)/2:y=%s:enable='between(t,%s,%s)'" \
    "$1" "$2" "$3" "$4" "$5" "$6" "$7"
}
screen() { # screen LANG START END
  printf '%s,%s,%s' \
    "$(dt "$FONT_BOLD" "$TMP/$1-title.txt" 24 white 18 "$2" "$3")" \
    "$(dt "$FONT" "$TMP/$1-body.txt" 17 white 62 "$2" "$3")" \
    "$(dt "$FONT_BOLD" "$TMP/$1-help.txt" 17 0xffd54a 298 "$2" "$3")"
}
VF="$(screen no 0 13),$(screen en 13 26),format=yuv420p"

OUT="$OUT_DIR/warning-no-en.mp4"
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "color=c=0x14181f:s=640x360:r=10:d=26" \
  -vf "$VF" \
  -map 0:v -map_metadata -1 -map_chapters -1 \
  -c:v libx264 -preset veryslow -tune stillimage -crf 26 -threads 1 -g 50 \
  -pix_fmt yuv420p -movflags +faststart \
  -fflags +bitexact -flags:v +bitexact \
  "$TMP/out.mp4"
mv "$TMP/out.mp4" "$OUT"

ls -l "$OUT"
sha256sum "$OUT"
echo "now update DEFAULT_PAYLOAD_ID (src/payload/default-payload.ts) and assets/payloads/README.md if the hash changed, then run: node scripts/render-variants.ts" >&2
