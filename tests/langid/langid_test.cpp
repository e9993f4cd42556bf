// Language ID: a fastText model trained here with Debian's `fasttext supervised` on generated
// text of four languages (fixed seed), and CLD2 on real sentences; the language filter through
// mr::filters::apply in drop mode (exclusion reasons, tally) and annotate mode (language and
// score in filter_result), serial and on four threads.
// g++ 12 warns -Wrestrict on `"x" + std::string` chains at -O3, a false positive (GCC PR 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <millrace/augment/rng.hpp>
#include <millrace/core.hpp>
#include <millrace/filters/apply.hpp>
#include <millrace/filters/langid.hpp>
#if MILLRACE_TEST_CLD2
#include <millrace/filters/cld2.hpp>
#endif
#if MILLRACE_TEST_FASTTEXT
#include <millrace/filters/fasttext_langid.hpp>
#endif

#include <doctest/doctest.h>

#include <mrtest/files.hpp>
#include <mrtest/temp_dir.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <unistd.h>

namespace mr = millrace;
namespace mf = millrace::filters;
namespace fs = std::filesystem;

namespace {

struct Doc {
  std::string id, lang, text;   // lang: the language the generator wrote
  mf::filter_result filter_result{};
};

// A detector with fixed answers, to test the filter's rules apart from any model.
struct table_detector {
  std::map<std::string, mf::language_guess, std::less<>> answers;
  mf::language_guess detect(std::string_view text) const {
    auto it = answers.find(text);
    return it == answers.end() ? mf::language_guess{"un", 0} : it->second;
  }
};

}  // namespace

TEST_CASE("langid.filter.rules.table_detector") {
  table_detector d{{{"a", {"en", 0.9}}, {"b", {"de", 0.99}}, {"c", {"en", 0.421}}, {"e", {"en", 0.65}}}};
  mf::language_filter f{d, {.languages = {"en", "fr"}, .min_score = 0.65}};
  CHECK(f.check(mf::analyze("a")).empty());
  CHECK(f.check(mf::analyze("e")).empty());   // at the threshold: kept
  CHECK(f.check(mf::analyze("b")) == "language de not in {en,fr}");
  CHECK(f.check(mf::analyze("c")) == "language score 0.42 < 0.65");
  CHECK(f.check(mf::analyze("zzz")) == "language un not in {en,fr}");
  mf::filter_result r;
  CHECK(f.check(mf::analyze("c"), &r) == "language score 0.42 < 0.65");
  CHECK(r.score("language.score") == doctest::Approx(0.421));
  CHECK(r.score("language.en") == doctest::Approx(0.421));
  CHECK(r.failed("language") == "language score 0.42 < 0.65");
  const auto g = mf::detected_language(r);
  CHECK(g.language == "en");
  CHECK(g.score == doctest::Approx(0.421));
  // No language set: only the score decides; a name of one's own.
  mf::language_filter any{d, {.min_score = 0.5}, "lid"};
  CHECK(any.check(mf::analyze("b")).empty());
  CHECK(any.check(mf::analyze("c")) == "language score 0.42 < 0.5");
  mf::filter_result r2;
  (void)any.check(mf::analyze("b"), &r2);
  CHECK(mf::detected_language(r2, "lid").language == "de");
  CHECK(mf::detected_language(r2).language.empty());
}

#if MILLRACE_TEST_CLD2

TEST_CASE("langid.cld2.real_sentences") {
  const std::vector<std::pair<std::string, std::string>> texts = {
      {"en", "The committee met on Tuesday to discuss the new budget. Several members raised concerns about the cost of "
             "the project, but the chairman said the work would begin next spring as planned."},
      {"de", "Der Ausschuss traf sich am Dienstag, um den neuen Haushalt zu besprechen. Mehrere Mitglieder äußerten "
             "Bedenken wegen der Kosten, doch der Vorsitzende sagte, die Arbeiten würden im Frühjahr beginnen."},
      {"fr", "Le comité s'est réuni mardi pour discuter du nouveau budget. Plusieurs membres ont exprimé des inquiétudes "
             "quant au coût du projet, mais le président a déclaré que les travaux commenceraient au printemps."},
      {"es", "El comité se reunió el martes para discutir el nuevo presupuesto. Varios miembros expresaron su "
             "preocupación por el costo del proyecto, pero el presidente dijo que las obras comenzarían en primavera."},
      {"it", "Il comitato si è riunito martedì per discutere il nuovo bilancio. Diversi membri hanno espresso "
             "preoccupazioni per il costo del progetto, ma il presidente ha detto che i lavori inizieranno in primavera."},
      {"ru", "Комитет собрался во вторник, чтобы обсудить новый бюджет. Несколько членов выразили обеспокоенность "
             "стоимостью проекта, но председатель сказал, что работы начнутся весной, как и планировалось."},
      {"ja", "委員会は火曜日に新しい予算について話し合うために集まりました。何人かの委員は計画の費用について懸念を示しましたが、"
             "議長は工事は予定通り来年の春に始まると述べました。"},
      {"nl", "De commissie kwam dinsdag bijeen om de nieuwe begroting te bespreken. Verschillende leden uitten hun zorgen "
             "over de kosten van het project, maar de voorzitter zei dat het werk volgend voorjaar zou beginnen."},
  };
  mf::cld2_detector d;
  for (auto& [lang, text] : texts) {
    CAPTURE(lang);
    const auto g = d.detect(text);
    CHECK(g.language == lang);
    CHECK(g.score >= 0.9);
    CHECK(g.score <= 1.0);
  }
  // Too short to be sure: CLD2 calls it unreliable, scored 0 unless reliable_only is off.
  CHECK(d.detect("ok").score == 0);
  // Half English, half German: each gets about half of the text.
  const std::string mixed = texts[0].second + " " + texts[1].second;
  const auto m = mf::cld2_detector{{.reliable_only = false}}.detect(mixed);
  CHECK((m.language == "en" || m.language == "de"));
  CHECK(m.score > 0.3);
  CHECK(m.score < 0.7);
  // Invalid UTF-8 is not a crash: "un", score 0.
  const auto bad = d.detect(std::string("abc \xff\xfe def ") + texts[0].second);
  CHECK(bad.score == 0);
}

TEST_CASE("langid.cld2.filter.drop_annotate.2T") {
  std::vector<Doc> docs = {
      {"1", "en", "The weather was fine all week, and the children played in the park every afternoon until dark."},
      {"2", "de", "Das Wetter war die ganze Woche schön, und die Kinder spielten jeden Nachmittag bis zum Abend im Park."},
      {"3", "fr", "Il a fait beau toute la semaine et les enfants ont joué au parc chaque après-midi jusqu'à la nuit."},
      {"4", "en", "A short note."},
  };
  mf::language_filter lid{mf::cld2_detector{}, {.languages = {"en"}, .min_score = 0.65}};
  std::vector<mf::excluded<Doc>> ex;
  std::mutex mu;
  mf::filter_tally tally;
  std::vector<Doc> kept;
  mr::run(mr::from_range(docs) |
              mf::apply<Doc>({.exclusions = [&](mf::excluded<Doc>&& e) { std::lock_guard l(mu); ex.push_back(std::move(e)); },
                              .tally = &tally},
                             lid) |
              mr::collect(kept),
          mr::cpu{.threads = 2, .batch_size = 1});
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].id == "1");
  std::map<std::string, std::string> why;
  for (auto& e : ex) {
    why[e.record.id] = e.reason;
    CHECK(e.filter == "language");
  }
  CHECK(why["2"] == "language de not in {en}");
  CHECK(why["3"] == "language fr not in {en}");
  CHECK(why["4"] == "language un not in {en}");   // too short: CLD2 cannot tell
  const auto c = tally.of("language");
  CHECK(c.in == 4);
  CHECK(c.dropped == 3);
  CHECK(c.reasons.at("language de not in {en}") == 1);

  std::vector<Doc> annotated;
  mr::run(mr::from_range(docs) | mf::apply<Doc>({.action = mf::on_fail::annotate}, lid) | mr::collect(annotated),
          mr::serial_executor{});
  REQUIRE(annotated.size() == 4);
  std::sort(annotated.begin(), annotated.end(), [](const Doc& a, const Doc& b) { return a.id < b.id; });
  CHECK(mf::detected_language(annotated[0].filter_result).language == "en");
  CHECK(mf::detected_language(annotated[1].filter_result).language == "de");
  CHECK(mf::detected_language(annotated[2].filter_result).language == "fr");
  CHECK(annotated[0].filter_result.passed_all());
  CHECK(annotated[1].filter_result.failed("language") == "language de not in {en}");
}

#endif  // MILLRACE_TEST_CLD2

#if MILLRACE_TEST_FASTTEXT

namespace {

// Generated text in four languages: sentences of common words of each, drawn by a seeded
// counter-based generator (same text on every machine and run).
const std::map<std::string, std::vector<std::string>>& vocabulary() {
  static const std::map<std::string, std::vector<std::string>> v = {
      {"en", {"the", "of", "and", "to", "in", "is", "that", "it", "was", "for", "on", "are", "with", "they", "be", "at",
              "one", "have", "this", "from", "by", "hot", "word", "but", "what", "some", "we", "can", "out", "other",
              "were", "all", "there", "when", "up", "use", "your", "how", "said", "each", "which", "their", "time",
              "will", "way", "about", "many", "then", "them", "would", "write", "like", "these", "her", "long", "make",
              "thing", "see", "him", "two", "has", "look", "more", "day", "could", "come", "did", "number", "people"}},
      {"de", {"der", "die", "und", "in", "den", "von", "zu", "das", "mit", "sich", "des", "auf", "für", "ist", "im",
              "dem", "nicht", "ein", "eine", "als", "auch", "es", "an", "werden", "aus", "er", "hat", "dass", "sie",
              "nach", "wird", "bei", "einer", "um", "am", "sind", "noch", "wie", "einem", "über", "einen", "so",
              "zum", "war", "haben", "nur", "oder", "aber", "vor", "zur", "bis", "mehr", "durch", "man", "sein",
              "wurde", "sei", "geht", "heute", "schon", "immer", "wieder", "Jahr", "Zeit", "Stadt", "Leute", "gibt"}},
      {"fr", {"le", "de", "un", "être", "et", "à", "il", "avoir", "ne", "je", "son", "que", "se", "qui", "ce", "dans",
              "en", "du", "elle", "au", "pour", "pas", "plus", "pouvoir", "par", "sur", "faire", "avec", "tout",
              "nous", "mais", "aller", "vous", "dire", "leur", "bien", "où", "sans", "encore", "même", "aussi",
              "quand", "très", "peu", "après", "chose", "toujours", "jour", "monde", "homme", "temps", "ville",
              "parce", "maison", "rien", "comme", "depuis", "donc", "cette", "notre", "alors", "beaucoup", "années"}},
      {"es", {"el", "la", "de", "que", "y", "a", "en", "un", "ser", "se", "no", "haber", "por", "con", "su", "para",
              "como", "estar", "tener", "le", "lo", "todo", "pero", "más", "hacer", "o", "poder", "decir", "este",
              "ir", "otro", "ese", "si", "me", "ya", "ver", "porque", "dar", "cuando", "él", "muy", "sin", "vez",
              "mucho", "saber", "qué", "sobre", "mi", "alguno", "mismo", "yo", "también", "hasta", "año", "dos",
              "querer", "entre", "así", "primero", "desde", "grande", "eso", "ni", "nos", "llegar", "pasar", "ciudad"}},
  };
  return v;
}

std::string sentence(const std::vector<std::string>& words, mr::augment::rng& r) {
  const std::size_t n = 6 + r.below(10);
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += (i ? " " : "") + words[r.below(words.size())];
  return s + ".";
}

std::vector<Doc> generated_docs(std::uint64_t seed, std::size_t per_language) {
  std::vector<Doc> out;
  std::uint64_t key = 0;
  for (auto& [lang, words] : vocabulary())
    for (std::size_t i = 0; i < per_language; ++i) {
      mr::augment::rng r(seed, key++, 0, 0);
      std::string text = sentence(words, r);
      if (r.bernoulli(0.5)) text += "\n" + sentence(words, r);   // some documents have two lines
      out.push_back({std::to_string(out.size()), lang, std::move(text)});
    }
  return out;
}

// Trains a model once per test binary run with Debian's fastText command line, in a temp folder
// removed at exit.
const fs::path& trained_model() {
  static const mrtest::temp_dir folder("langid");
  static const fs::path model = [] {
    const fs::path& dir = folder.path;
    {
      std::ofstream f(dir / "train.txt");
      for (auto& d : generated_docs(/*seed=*/20261202, 400)) {
        std::string t = d.text;
        std::replace(t.begin(), t.end(), '\n', ' ');
        f << "__label__" << d.lang << ' ' << t << '\n';
      }
    }
    const std::string cmd = std::string(MILLRACE_FASTTEXT_BIN) + " supervised -input " + (dir / "train.txt").string() +
                            " -output " + (dir / "model").string() +
                            " -epoch 20 -lr 0.5 -dim 16 -minn 2 -maxn 4 -bucket 20000 -thread 1 -verbose 0";
    const int rc = std::system(cmd.c_str());
    REQUIRE_MESSAGE(rc == 0, "fasttext supervised failed: ", cmd);
    return dir / "model.bin";
  }();
  return model;
}

}  // namespace

TEST_CASE("langid.fasttext.trained_model.accuracy") {
  mf::fasttext_detector d{trained_model()};
  auto labels = d.labels();
  std::sort(labels.begin(), labels.end());
  CHECK(labels == std::vector<std::string>{"de", "en", "es", "fr"});
  // Held-out text: another seed.
  const auto test = generated_docs(/*seed=*/7, 200);
  std::map<std::string, std::size_t> right, total;
  for (auto& doc : test) {
    const auto g = d.detect(doc.text);
    CHECK(g.score > 0);
    CHECK(g.score <= 1);
    total[doc.lang]++;
    right[doc.lang] += g.language == doc.lang;
  }
  for (auto& [lang, n] : total) {
    CAPTURE(lang);
    CHECK(double(right[lang]) / double(n) >= 0.95);
  }
  // Nothing to read: no language, score 0.
  CHECK(d.detect("").language.empty());
  CHECK(d.detect(" \n\t ").score == 0);
  CHECK_THROWS_WITH_AS(mf::fasttext_detector{"/nonexistent/lid.176.bin"},
                       doctest::Contains("/nonexistent/lid.176.bin"), std::runtime_error);
  // A file that is not a fastText model: named in the error too.
  const fs::path junk = trained_model().parent_path() / "junk.bin";
  mrtest::write_file(junk, "this is not a fastText model\n");
  CHECK_THROWS_WITH_AS(mf::fasttext_detector{junk}, doctest::Contains(junk.string().c_str()), std::runtime_error);
}

TEST_CASE("langid.fasttext.filter.serial_vs_4T") {
  const mf::language_filter lid{mf::fasttext_detector{trained_model()}, {.languages = {"en", "de"}, .min_score = 0.5}};
  const auto docs = generated_docs(/*seed=*/99, 250);
  auto run_drop = [&](auto exec) {
    std::vector<Doc> kept;
    std::vector<mf::excluded<Doc>> ex;
    std::mutex mu;
    mf::filter_tally tally;
    mr::run(mr::from_range(docs) |
                mf::apply<Doc>({.exclusions = [&](mf::excluded<Doc>&& e) { std::lock_guard l(mu); ex.push_back(std::move(e)); },
                                .tally = &tally},
                               lid) |
                mr::collect(kept),
            exec);
    std::sort(kept.begin(), kept.end(), [](const Doc& a, const Doc& b) { return std::stoi(a.id) < std::stoi(b.id); });
    const auto c = tally.of("language");
    CHECK(c.in == docs.size());
    CHECK(c.dropped == ex.size());
    CHECK(kept.size() + ex.size() == docs.size());
    std::uint64_t reasons = 0;
    for (auto& [r, n] : c.reasons) {
      CHECK((r.starts_with("language es not in {en,de}") || r.starts_with("language fr not in {en,de}") ||
             r.starts_with("language score ")));
      reasons += n;
    }
    CHECK(reasons == c.dropped);
    std::vector<std::string> ids;
    for (auto& k : kept) ids.push_back(k.id);
    return ids;
  };
  const auto serial = run_drop(mr::serial_executor{.batch_size = 16});
  const auto threaded = run_drop(mr::cpu{.threads = 4, .batch_size = 8});
  CHECK(serial == threaded);   // the shared model answers the same on four threads
  // Nearly every kept document is English or German, nearly every one of those is kept.
  std::size_t kept_en_de = 0, en_de = 0;
  for (auto& doc : docs) en_de += doc.lang == "en" || doc.lang == "de";
  for (auto& id : serial) kept_en_de += docs[std::stoul(id)].lang == "en" || docs[std::stoul(id)].lang == "de";
  CHECK(double(kept_en_de) / double(serial.size()) >= 0.97);
  CHECK(double(kept_en_de) / double(en_de) >= 0.9);

  // Annotate: every document stays with its language and score, the same as detect() gives.
  std::vector<Doc> annotated;
  mr::run(mr::from_range(docs) | mf::apply<Doc>({.action = mf::on_fail::annotate}, lid) | mr::collect(annotated),
          mr::cpu{.threads = 4, .batch_size = 8});
  REQUIRE(annotated.size() == docs.size());
  for (auto& a : annotated) {
    const auto want = lid.detector.detect(a.text);
    const auto got = mf::detected_language(a.filter_result);
    CHECK(got.language == want.language);
    CHECK(got.score == doctest::Approx(want.score));
    CHECK(a.filter_result.passed_all() == lid.check(mf::analyze(a.text)).empty());
  }
}

#else
TEST_CASE("langid.fasttext.skipped") {
  MESSAGE("libfasttext or the fasttext command is missing: the fastText language-ID tests are skipped");
}
#endif  // MILLRACE_TEST_FASTTEXT
