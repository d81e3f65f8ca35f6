// Runbook and doc files: a good one parses; each bad field is reported with
// the file and the field; the folder loader keeps going past bad files.
#define CAF_SUITE knowledge_files

#include <filesystem>

#include <caf/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "actors/knowledge/library.hpp"
#include "actors/knowledge/runbook.hpp"
#include "tests/support/process.hpp"

using namespace vigil::knowledge;
using json = nlohmann::json;

namespace {

json good_front_matter(const std::string& id = "db-password-mismatch") {
  return json::parse(R"({
    "id": ")" + id + R"(",
    "title": "Database rejects the app's password",
    "root_cause": "db_credentials_invalid",
    "services": ["shopd"],
    "symptoms": [
      {"signal": "log.target-db", "contains": "password authentication failed", "weight": 0.6},
      {"signal": "probe.shopd.http.status_code", "is": "503", "weight": 0.3}
    ],
    "steps": [
      {"tool": "rotate_db_secret", "args": {"role": "shop"}, "risk": "high",
       "check": {"signal": "probe.target-db.postgres.status", "is": "ok", "within_s": 30},
       "rollback": {"none": "the old password does not work anyway"}},
      {"tool": "switch_upstream", "args": {"use": "fallback"}, "risk": "low",
       "check": {"signal": "probe.shopd.http.status", "is": "ok"},
       "rollback": {"tool": "switch_upstream", "args": {"use": "primary"}}}
    ],
    "prevention": ["Rotate through one tool."]
  })");
}

const char* good_body = "# Database rejects the app's password\n\nIntro.\n\n"
                        "## Symptoms\n\n- Checkout answers 503.\n- FATAL lines in the log.\n\n"
                        "## Fix\n\nRotate.\n";

std::string file_text(const json& front_matter, const std::string& body = good_body) {
  return "---\n" + front_matter.dump(2) + "\n---\n" + body;
}

/// The field a parse of `text` complains about ("" when it parses).
std::string failing_field(const std::string& text, const std::string& path = "/rb/x.md") {
  try {
    parse_knowledge_file(text, path);
    return "";
  } catch (const knowledge_file_error& e) {
    CAF_CHECK_EQUAL(e.file(), path);
    CAF_CHECK(std::string{e.what()}.find(path) == 0);
    CAF_CHECK(std::string{e.what()}.find("'" + e.field() + "'") != std::string::npos);
    return e.field();
  }
}

} // namespace

CAF_TEST(a good runbook parses into its searchable parts) {
  auto e = parse_knowledge_file(file_text(good_front_matter()), "/rb/a.md");
  CAF_CHECK_EQUAL(e.id, "db-password-mismatch");
  CAF_CHECK_EQUAL(e.kind, "runbook");
  CAF_CHECK_EQUAL(e.title, "Database rejects the app's password");
  CAF_CHECK_EQUAL(e.root_cause, "db_credentials_invalid");
  CAF_CHECK_EQUAL(e.path, "/rb/a.md");
  CAF_CHECK_EQUAL(e.symptoms, "- Checkout answers 503.\n- FATAL lines in the log.");
  CAF_CHECK(e.steps.find("rotate db secret") != std::string::npos);
  CAF_CHECK(e.steps.find("Rotate through one tool.") != std::string::npos);
  CAF_CHECK(e.body.rfind("# Database rejects", 0) == 0);
  CAF_CHECK(json::parse(e.meta) == good_front_matter());
}

CAF_TEST(each bad field is named with the file) {
  struct bad_case {
    const char* pointer;
    json value;
    const char* field;
  };
  std::vector<bad_case> cases{
    {"/id", "Has Capitals", "id"},
    {"/id", 42, "id"},
    {"/kind", "playbook", "kind"},
    {"/title", "   ", "title"},
    {"/root_cause", "Not A Label", "root_cause"},
    {"/owner", "me", "owner"},
    {"/symptoms", json::array(), "symptoms"},
    {"/symptoms/1/is", nullptr, "symptoms[1]"},  // no comparison left
    {"/symptoms/0/is", "x", "symptoms[0].contains"}, // two comparisons
    {"/symptoms/0/weight", 2, "symptoms[0].weight"},
    {"/symptoms/0/signal", "probe shopd", "symptoms[0].signal"},
    {"/symptoms/0/above", "ten", "symptoms[0].above"},
    {"/steps/0/risk", "medium", "steps[0].risk"},
    {"/steps/1/tool", "reboot_everything", "steps[1].tool"},
    {"/steps/0/args", "role=shop", "steps[0].args"},
    {"/steps/0/rollback", json::object(), "steps[0].rollback"},
    {"/steps/1/rollback/tool", "undo_everything", "steps[1].rollback.tool"},
    {"/steps/0/check/within_s", 0, "steps[0].check.within_s"},
    {"/steps/0/check/is", nullptr, "steps[0].check"},
    {"/steps/0/sudo", true, "steps[0].sudo"},
    {"/prevention", json::array(), "prevention"},
    // A confirmation without a probe checks the probes behind a probe signal.
    {"/confirm", json::array({{{"signal", "log.target-db"}, {"contains", "x"}}}),
     "confirm[0].signal"},
    {"/confirm", json::array({{{"signal", "probe.shopd"}, {"is", "ok"}}}), "confirm[0].signal"},
    {"/confirm", json::array({{{"probe", 7}, {"signal", "probe.a.b.c"}, {"is", "ok"}}}),
     "confirm[0].probe"},
  };
  for (auto& c : cases) {
    auto fm = good_front_matter();
    json::json_pointer ptr{c.pointer};
    if (c.value.is_null())
      fm[ptr.parent_pointer()].erase(ptr.back());
    else
      fm[ptr] = c.value;
    CAF_MESSAGE("case " << c.pointer);
    CAF_CHECK_EQUAL(failing_field(file_text(fm)), c.field);
  }
  for (auto* key : {"id", "title", "root_cause", "symptoms", "steps", "prevention"}) {
    auto fm = good_front_matter();
    fm.erase(key);
    CAF_CHECK_EQUAL(failing_field(file_text(fm)), key);
  }
}

CAF_TEST(a confirmation names its probe or checks those behind its signal) {
  auto fm = good_front_matter();
  fm["confirm"] = json::array(
    {{{"probe", "target-db"}, {"signal", "probe.target-db.postgres.status"}, {"is", "down"}},
     {{"signal", "probe.shopd.disk.write_errno"}, {"above", 0}}});
  CAF_CHECK_EQUAL(failing_field(file_text(fm)), "");
}

CAF_TEST(bad front matter and bodies are named too) {
  CAF_CHECK_EQUAL(failing_field("---\n{\"id\": \"x\",}\n---\nbody\n"), "front matter");
  CAF_CHECK_EQUAL(failing_field("---\n[1, 2]\n---\nbody\n"), "front matter");
  CAF_CHECK_EQUAL(failing_field("---\n{\"id\": \"x\"}\nno end\n"), "front matter");
  CAF_CHECK_EQUAL(failing_field(file_text(good_front_matter(), "# Title\n\n## Fix\n\nx\n")),
                  "## Symptoms");
  CAF_CHECK_EQUAL(failing_field(file_text(good_front_matter(), "\n  \n")), "body");
  // Comments are allowed in the JSON, as in every Vigil config.
  auto text = file_text(good_front_matter());
  text.insert(4, "// a comment\n");
  CAF_CHECK_EQUAL(failing_field(text), "");
}

CAF_TEST(docs need less than runbooks) {
  auto doc = parse_knowledge_file("---\n{\"id\": \"shopd\", \"kind\": \"doc\", \"title\": \"shopd\"}\n"
                                  "---\n# shopd\n\nThe shop API.\n", "/kb/shopd.md");
  CAF_CHECK_EQUAL(doc.kind, "doc");
  CAF_CHECK_EQUAL(doc.root_cause, "");
  CAF_CHECK_EQUAL(failing_field("---\n{\"id\": \"x\", \"kind\": \"doc\", \"title\": \"x\","
                                " \"steps\": []}\n---\nbody\n"),
                  "steps");
  // Without front matter: named after the file, titled by its first heading.
  auto plain = parse_knowledge_file("intro\n# Ports of the stack\n\ntext\n", "/kb/ports.md");
  CAF_CHECK_EQUAL(plain.id, "ports");
  CAF_CHECK_EQUAL(plain.kind, "doc");
  CAF_CHECK_EQUAL(plain.title, "Ports of the stack");
  CAF_CHECK_EQUAL(failing_field("# Title\n", "/kb/Ports.md"), "id");
  CAF_CHECK_EQUAL(failing_field("no heading\n", "/kb/ports.md"), "title");
}

CAF_TEST(markdown sections end at the next heading and ignore code) {
  auto body = "# T\n## Symptoms and signs\nA\n```\n## not a heading\n```\nB\n### sub\nC\n## Fix\nD\n";
  CAF_CHECK_EQUAL(markdown_section(body, "symptoms"), "A\n```\n## not a heading\n```\nB\n### sub\nC");
  CAF_CHECK_EQUAL(markdown_section(body, "Prevention"), "");
}

CAF_TEST(the loader reports bad files and still loads the others) {
  namespace fs = std::filesystem;
  auto dir = vigil::test::make_temp_dir("vigil-kb-load");
  fs::create_directories(dir + "/runbooks/db");
  vigil::test::write_file(dir + "/runbooks/a.md", file_text(good_front_matter("first")));
  vigil::test::write_file(dir + "/runbooks/db/b.md", file_text(good_front_matter("second")));
  auto bad = good_front_matter("third");
  bad["steps"][0]["risk"] = "medium";
  vigil::test::write_file(dir + "/runbooks/c.md", file_text(bad));
  vigil::test::write_file(dir + "/runbooks/d.md", file_text(good_front_matter("first")));
  vigil::test::write_file(dir + "/runbooks/notes.txt", "not markdown, not loaded");
  auto lib = load_library({dir + "/runbooks", dir + "/missing"});
  CAF_REQUIRE_EQUAL(lib.entries.size(), 2u);
  CAF_CHECK_EQUAL(lib.entries[0].id, "first");
  CAF_CHECK_EQUAL(lib.entries[1].id, "second");
  CAF_REQUIRE_EQUAL(lib.errors.size(), 3u);
  CAF_CHECK(lib.errors[0].find(dir + "/runbooks/c.md: field 'steps[0].risk'") == 0);
  CAF_CHECK(lib.errors[1].find(dir + "/runbooks/d.md: field 'id'") == 0);
  CAF_CHECK(lib.errors[1].find("already used by " + dir + "/runbooks/a.md") != std::string::npos);
  CAF_CHECK(lib.errors[2].find(dir + "/missing") == 0);
  auto expected_unreadable
    = std::vector<std::string>{dir + "/runbooks/c.md", dir + "/runbooks/d.md", dir + "/missing"};
  CAF_CHECK_EQUAL(lib.unreadable, expected_unreadable);
}
