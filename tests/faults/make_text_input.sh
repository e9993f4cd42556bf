#!/bin/sh
# Input for the text jobs' fault runs: in/s0..s2.jsonl with near and exact duplicates, one invalid
# line and one record without text.
set -e
mkdir -p in
for f in 0 1 2; do
  awk -v f=$f 'BEGIN { for (i = 0; i < 400; i++)
    printf "{\"id\":%d,\"text\":\"doc %d words of the mill race and the water wheel turning %d\"}\n", f * 1000 + i, i % 150, i % 7 }' > in/s$f.jsonl
done
echo 'not json' >> in/s1.jsonl
echo '{"id":9}' >> in/s2.jsonl
