#!/usr/bin/env python3
"""Python EDA baseline for bench/augment: the four operations of Wei & Zou's eda.py (synonym
replacement, random insertion, random swap, random deletion), ported faithfully, with WordNet from
nltk's WordNetCorpusReader reading the same Debian database files as millrace (/usr/share/wordnet).
nltk's own corpus download is not reachable here, so the reader is pointed at a temporary directory
holding copies of the Debian files plus the standard `lexnames` file that Debian does not ship.

Output (one line): eda_python records=N variants=V seconds=S variants_per_s=X
Usage: python3 eda_baseline.py CORPUS.jsonl [--records N] [--wordnet DIR]
Needs: pip install nltk (benchmark only).
"""
import argparse
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time

LEXNAMES = """adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body
noun.cognition noun.communication noun.event noun.feeling noun.food noun.group noun.location noun.motive
noun.object noun.person noun.phenomenon noun.plant noun.possession noun.process noun.quantity noun.relation
noun.shape noun.state noun.substance noun.time verb.body verb.change verb.cognition verb.communication
verb.competition verb.consumption verb.contact verb.creation verb.emotion verb.motion verb.perception
verb.possession verb.social verb.stative verb.weather adj.ppl""".split()


def debian_wordnet(src):
    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader
    root = tempfile.mkdtemp(prefix="eda-wn-")
    d = os.path.join(root, "wordnet")
    os.mkdir(d)
    for f in os.listdir(src):
        if os.path.isfile(os.path.join(src, f)):
            shutil.copyfile(os.path.join(src, f), os.path.join(d, f))   # nltk refuses symlinks out of its root
    with open(os.path.join(d, "lexnames"), "w") as f:
        for i, name in enumerate(LEXNAMES):
            kind = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}[name.split(".")[0]]
            f.write(f"{i:02d}\t{name}\t{kind}\n")
    nltk.data.path.insert(0, root)   # nltk only reads corpora below its data path
    import warnings
    warnings.filterwarnings("ignore")

    class DebianWordNet(WordNetCorpusReader):
        def map_wn(self, version="wordnet"):   # only maps other versions for multilingual data
            return None

    return DebianWordNet(d, None)


# ---- eda.py (Wei & Zou 2019), unchanged apart from the wordnet object and the RNG instance ----
stop_words = ['i', 'me', 'my', 'myself', 'we', 'our', 'ours', 'ourselves', 'you', 'your', 'yours', 'yourself',
              'yourselves', 'he', 'him', 'his', 'himself', 'she', 'her', 'hers', 'herself', 'it', 'its', 'itself',
              'they', 'them', 'their', 'theirs', 'themselves', 'what', 'which', 'who', 'whom', 'this', 'that', 'these',
              'those', 'am', 'is', 'are', 'was', 'were', 'be', 'been', 'being', 'have', 'has', 'had', 'having', 'do',
              'does', 'did', 'doing', 'a', 'an', 'the', 'and', 'but', 'if', 'or', 'because', 'as', 'until', 'while',
              'of', 'at', 'by', 'for', 'with', 'about', 'against', 'between', 'into', 'through', 'during', 'before',
              'after', 'above', 'below', 'to', 'from', 'up', 'down', 'in', 'out', 'on', 'off', 'over', 'under', 'again',
              'further', 'then', 'once', 'here', 'there', 'when', 'where', 'why', 'how', 'all', 'any', 'both', 'each',
              'few', 'more', 'most', 'other', 'some', 'such', 'no', 'nor', 'not', 'only', 'own', 'same', 'so', 'than',
              'too', 'very', 's', 't', 'can', 'will', 'just', 'don', 'should', 'now', '']
wordnet = None
rng = random.Random(1)


def get_only_chars(line):
    clean_line = ""
    line = line.replace("'", "").replace("-", " ").replace("\t", " ").replace("\n", " ").lower()
    for char in line:
        clean_line += char if char in 'qwertyuiopasdfghjklzxcvbnm ' else ' '
    clean_line = re.sub(' +', ' ', clean_line)
    if clean_line and clean_line[0] == ' ':
        clean_line = clean_line[1:]
    return clean_line


def get_synonyms(word):
    synonyms = set()
    for syn in wordnet.synsets(word):
        for l in syn.lemmas():
            synonym = l.name().replace("_", " ").replace("-", " ").lower()
            synonym = "".join([c for c in synonym if c in ' qwertyuiopasdfghjklzxcvbnm'])
            synonyms.add(synonym)
    if word in synonyms:
        synonyms.remove(word)
    return list(synonyms)


def synonym_replacement(words, n):
    new_words = words.copy()
    random_word_list = list(set([w for w in words if w not in stop_words]))
    rng.shuffle(random_word_list)
    num_replaced = 0
    for random_word in random_word_list:
        synonyms = get_synonyms(random_word)
        if len(synonyms) >= 1:
            synonym = rng.choice(list(synonyms))
            new_words = [synonym if w == random_word else w for w in new_words]
            num_replaced += 1
        if num_replaced >= n:
            break
    return ' '.join(new_words).split(' ')


def random_deletion(words, p):
    if len(words) == 1:
        return words
    new_words = [w for w in words if rng.uniform(0, 1) > p]
    if len(new_words) == 0:
        return [words[rng.randint(0, len(words) - 1)]]
    return new_words


def swap_word(new_words):
    i = rng.randint(0, len(new_words) - 1)
    j, counter = i, 0
    while j == i:
        j = rng.randint(0, len(new_words) - 1)
        counter += 1
        if counter > 3:
            return new_words
    new_words[i], new_words[j] = new_words[j], new_words[i]
    return new_words


def random_swap(words, n):
    new_words = words.copy()
    for _ in range(n):
        new_words = swap_word(new_words)
    return new_words


def add_word(new_words):
    synonyms, counter = [], 0
    while len(synonyms) < 1:
        random_word = new_words[rng.randint(0, len(new_words) - 1)]
        synonyms = get_synonyms(random_word)
        counter += 1
        if counter >= 10:
            return
    new_words.insert(rng.randint(0, len(new_words) - 1), synonyms[0])


def random_insertion(words, n):
    new_words = words.copy()
    for _ in range(n):
        add_word(new_words)
    return new_words


def eda_one_each(sentence, alpha=0.1):
    """One variant per operation (millrace's cycle mode with 4 variants): sr, ri, rs, rd."""
    words = [w for w in get_only_chars(sentence).split(' ') if w != '']
    if not words:
        return []
    n = max(1, int(alpha * len(words)))
    out = [synonym_replacement(words, n), random_insertion(words, n), random_swap(words, n), random_deletion(words, alpha)]
    return [get_only_chars(' '.join(a)) for a in out]


def main():
    global wordnet
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--records", type=int, default=0)
    ap.add_argument("--wordnet", default=os.environ.get("WNSEARCHDIR", "/usr/share/wordnet"))
    a = ap.parse_args()
    texts = [json.loads(l)["text"] for l in open(a.corpus, encoding="utf-8")]
    if a.records:
        texts = texts[: a.records]
    t0 = time.perf_counter()
    wordnet = debian_wordnet(a.wordnet)
    wordnet.synsets("car")   # the reader loads its index lazily
    load = time.perf_counter() - t0
    for t in texts[:100]:    # warm-up (nltk caches synsets as it reads them)
        eda_one_each(t)
    t0 = time.perf_counter()
    variants = 0
    for t in texts:
        variants += len(eda_one_each(t))
    s = time.perf_counter() - t0
    print(f"eda_python records={len(texts)} variants={variants} seconds={s:.3f} variants_per_s={variants / s:.1f} load_s={load:.2f}")


if __name__ == "__main__":
    sys.exit(main())
