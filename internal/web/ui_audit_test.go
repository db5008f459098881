package web

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"lighten/internal/i18n"
	"lighten/internal/store"
)

// TestAuditPage: an auditor reads the log of their county by names, not
// ids; filters by who, what, place and day; exports it; a national auditor
// verifies the chain.
func TestAuditPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, store.SQLite)
	_, admin := f.person("guanli", "430922", "admin@430922")
	_, other := f.person("anhua", "430923", "admin@430923")
	f.person("shenji", "430922", "auditor@430922")
	f.person("guoshen", "11", "auditor@")
	if st, b := f.do("POST", "/api/v1/offices", admin, NewOfficeBody{Unit: "430922", Name: "民政局"}); st != 201 {
		t.Fatalf("office: %d %s", st, b)
	}
	if st, b := f.do("POST", "/api/v1/offices", other, NewOfficeBody{Unit: "430923", Name: "安化县农业农村局"}); st != 201 {
		t.Fatalf("office: %d %s", st, b)
	}

	zh := f.uiClient("zh-CN")
	zh.signIn("shenji")
	r := zh.get("/audit")
	uiMust(t, r, http.StatusOK, "审计日志", "新增部门", "部门", "桃江县", "guanli")
	uiMustNot(t, r, ">office.create", "安化县", "anhua", `name="verify"`)
	uiMust(t, r, http.StatusOK, "全国范围的审计人员")
	if !strings.Contains(zh.get("/me").body, `href="/audit"`) {
		t.Fatal("no link to the audit page in the menu")
	}

	r = zh.get("/audit?what=person.")
	uiMust(t, r, http.StatusOK, `<span class="name">新增人员</span>`, `href="/audit/export.csv?what=person."`)
	uiMustNot(t, r, `<span class="name">新增部门</span>`)
	r = zh.get("/audit?who=nobody")
	uiMust(t, r, http.StatusOK, "没有符合条件的记录")
	uiMust(t, zh.get("/audit?from=2026-13-01"), http.StatusBadRequest, "2026-13-01", "无法识别")
	uiMust(t, zh.get("/audit?under=430923"), http.StatusBadRequest, "不在您的审计范围内")

	r = zh.get("/audit/export.csv?what=office.")
	if r.status != 200 || !strings.HasPrefix(r.body, "\ufeff") || !strings.Contains(r.body, "新增部门") || strings.Contains(r.body, "安化县") {
		t.Fatalf("export: %d\n%s", r.status, r.body)
	}

	// A reason that a spreadsheet would take for a formula is quoted.
	cun, _ := f.person("cun2", "430922100201", "cadre@430922100201")
	if st, b := f.do("POST", "/api/v1/people/"+itoa(cun.ID)+"/disabled", admin, DisableBody{Disabled: true, Reason: "=1+1"}); st != 200 {
		t.Fatalf("disable: %d %s", st, b)
	}
	r = zh.get("/audit/export.csv?what=person.")
	if !strings.Contains(r.body, ",'=1+1,") || strings.Contains(r.body, ",=1+1") {
		t.Fatalf("the reason is not quoted in the export:\n%s", r.body)
	}

	en := f.uiClient("en")
	en.signIn("guoshen")
	r = en.get("/audit")
	uiMust(t, r, http.StatusOK, "Office added", "安化县", `name="verify"`)
	uiMust(t, en.get("/audit?verify=1"), http.StatusOK, "The hash chain is intact")

	cadre := f.uiClient("zh-CN")
	f.person("cun", "430922100201", "cadre@430922100201")
	cadre.signIn("cun")
	if r := cadre.get("/audit"); r.status != http.StatusForbidden {
		t.Fatalf("a cadre reads the audit log: %d", r.status)
	}
}

// TestAuditActionsHaveNames: every action and entity the code records has
// a name in both languages, so that the log never shows a bare id.
func TestAuditActionsHaveNames(t *testing.T) {
	t.Parallel()
	lit := regexp.MustCompile(`(?:Action:\s*|action\s*:?=\s*)"([a-z_0-9]+\.[a-z_0-9]+)"`)
	ent := regexp.MustCompile(`Entity:\s*"([a-z_]+)"`)
	dyn := regexp.MustCompile(`Action:\s*"([a-z_]+)\."\s*\+`)
	// The suffixes the dynamic actions take.
	suffixes := map[string][]string{
		"demand":  {"draft", "submitted", "refused", "review", "admitted", "active", "closed", "withdrawn"},
		"refusal": {"upheld", "overturned"},
		"element": {"approved", "rejected"},
	}
	found := 0
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := string(b)
		for _, m := range lit.FindAllStringSubmatch(src, -1) {
			found++
			if _, ok := i18n.Lookup("audit.action." + m[1]); !ok {
				t.Errorf("%s: the audit action %q has no name (audit.action.%s)", path, m[1], m[1])
			}
		}
		for _, m := range ent.FindAllStringSubmatch(src, -1) {
			if _, ok := i18n.Lookup("audit.entity." + m[1]); !ok {
				t.Errorf("%s: the audit entity %q has no name (audit.entity.%s)", path, m[1], m[1])
			}
		}
		for _, m := range dyn.FindAllStringSubmatch(src, -1) {
			ss, ok := suffixes[m[1]]
			if !ok {
				t.Errorf("%s: actions %q… are made at run time; list their endings in this test", path, m[1])
			}
			for _, s := range ss {
				if _, ok := i18n.Lookup("audit.action." + m[1] + "." + s); !ok {
					t.Errorf("the audit action %s.%s has no name", m[1], s)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 40 {
		t.Fatalf("found only %d audit actions in the source", found)
	}
}
