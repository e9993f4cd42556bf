# Reads the machine's own apt sources, so scripts never hard-code an archive address.
# Sourced by scripts/build-tbb-tsan.sh and scripts/fresh-machine.sh; tested by scripts/test-apt-sources.sh.
#
#   apt_sources_entries [aptdir]        every enabled entry of <aptdir> (default /etc/apt), in the order apt
#                                       reads them: sources.list, then sources.list.d/*.list and *.sources.
#                                       One line per (type, URI, suite):   type|uri|suite|components|signed-by
#                                       components space-separated; signed-by as written (paths or fingerprints,
#                                       or an embedded key whose line breaks are \037), empty when not given.
#   apt_sources_release aptdir codename the "deb" entries of the release: suite <codename> or <codename>-*
#                                       (updates, security, backports); third-party suites are left out.
#   apt_sources_mirror aptdir codename  the first "deb" entry whose suite is exactly <codename>, with an
#                                       http(s)/ftp/file URI (what debootstrap can use): uri|components|signed-by
#   apt_sources_deb822 type             reads entry lines on stdin, writes them as deb822 stanzas of that type.

apt_sources_entries() {
  local dir="${1:-/etc/apt}" f files=()
  [[ -f "$dir/sources.list" ]] && files+=("$dir/sources.list")
  # apt reads sources.list.d in name order and ignores names other than [A-Za-z0-9_.-]+ ending .list/.sources
  for f in "$dir"/sources.list.d/*; do
    [[ -f "$f" && "${f##*/}" =~ ^[A-Za-z0-9_.-]+\.(list|sources)$ ]] && files+=("$f")
  done
  ((${#files[@]})) || return 0
  for f in "${files[@]}"; do
    case "$f" in
      *.sources) _apt_sources_deb822_parse <"$f" ;;
      *)         _apt_sources_list_parse <"$f" ;;
    esac
  done
}

# one-line format: deb [ option=value ... ] uri suite [component ...]   ('#' starts a comment)
_apt_sources_list_parse() {
  awk '
    { sub(/#.*/, ""); }
    NF == 0 { next }
    {
      type = $1
      if (type != "deb" && type != "deb-src") next
      rest = substr($0, index($0, type) + length(type))
      signed = ""
      if (rest ~ /^[ \t]*\[/) {
        close_at = index(rest, "]")
        if (close_at == 0) next                     # malformed options: apt rejects the line too
        opts = substr(rest, index(rest, "[") + 1, close_at - index(rest, "[") - 1)
        rest = substr(rest, close_at + 1)
        n = split(opts, o, /[ \t]+/)
        for (i = 1; i <= n; i++) if (tolower(o[i]) ~ /^signed-by=/) signed = substr(o[i], 11)
        gsub(/,/, " ", signed)
      }
      n = split(rest, t, /[ \t]+/)
      k = 0
      for (i = 1; i <= n; i++) if (t[i] != "") w[++k] = t[i]
      if (k < 2) next
      comps = ""
      for (i = 3; i <= k; i++) comps = comps (i > 3 ? " " : "") w[i]
      if (w[1] ~ /^cdrom:/) next
      print type "|" w[1] "|" w[2] "|" comps "|" signed
    }'
}

# deb822 format: stanzas separated by blank lines; "Field: value", continuation lines start with a blank;
# lines starting with '#' are comments; "Enabled: no" switches a stanza off.
_apt_sources_deb822_parse() {
  awk '
    function flush(   nt, nu, ns, a, b, c, tt, uu, ss) {
      if (have && tolower(f["enabled"]) != "no") {
        nt = split(f["types"], tt, /[ \t]+/)
        nu = split(f["uris"], uu, /[ \t]+/)
        ns = split(f["suites"], ss, /[ \t]+/)
        comps = f["components"]; gsub(/[ \t]+/, " ", comps); sub(/^ /, "", comps); sub(/ $/, "", comps)
        for (a = 1; a <= nt; a++) if (tt[a] == "deb" || tt[a] == "deb-src")
          for (b = 1; b <= nu; b++) if (uu[b] != "" && uu[b] !~ /^cdrom:/)
            for (c = 1; c <= ns; c++) if (ss[c] != "")
              print tt[a] "|" uu[b] "|" ss[c] "|" comps "|" f["signed-by"]
      }
      have = 0; key = ""; split("", f)
    }
    /^#/ { next }
    /^[ \t]*$/ { flush(); next }
    /^[ \t]/ {                                       # continuation of the previous field
      if (key == "") next
      if (key == "signed-by") f[key] = f[key] "\037" $0
      else { line = $0; sub(/^[ \t]+/, "", line); f[key] = f[key] " " line }
      next
    }
    {
      colon = index($0, ":")
      if (colon == 0) next
      key = tolower(substr($0, 1, colon - 1))
      val = substr($0, colon + 1); sub(/^[ \t]+/, "", val); sub(/[ \t]+$/, "", val)
      f[key] = val; have = 1
    }
    END { flush() }'
}

apt_sources_release() {
  local dir="$1" codename="$2"
  apt_sources_entries "$dir" | awk -F'|' -v c="$codename" '
    $1 == "deb" && ($3 == c || index($3, c "-") == 1) && !seen[$2 "|" $3]++'
}

apt_sources_mirror() {
  local dir="$1" codename="$2"
  apt_sources_entries "$dir" | awk -F'|' -v c="$codename" '
    $1 == "deb" && $3 == c && $2 ~ /^(https?|ftp|file):/ { print $2 "|" $4 "|" $5; exit }'
}

apt_sources_deb822() {
  awk -F'|' -v type="$1" '
    NF >= 3 {
      if (n++) print ""
      print "Types: " type
      print "URIs: " $2
      print "Suites: " $3
      if ($4 != "") print "Components: " $4
      if ($5 != "") { s = $5; gsub(/\037/, "\n", s); print "Signed-By: " s }
    }'
}
