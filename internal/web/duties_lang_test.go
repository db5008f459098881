package web

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"lighten/internal/duties"
	"lighten/internal/units"
)

// latinWords finds words of English left in a Chinese message, once the
// names it quotes as written are taken out.
func latinWords(zh string, names ...string) []string {
	for _, n := range names {
		zh = strings.ReplaceAll(zh, n, "")
	}
	return regexp.MustCompile(`[A-Za-z]{2,}`).FindAllString(zh, -1)
}

// errorText is the text of the page's error notice.
func errorText(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<p[^>]*class="[^"]*error[^"]*"[^>]*>(.*?)</p>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no error notice on the page:\n%s", body)
	}
	return strings.TrimSpace(m[1])
}

// A county's burden office working in Chinese uploads duty lists at fault
// and reads what is wrong, and where, in Chinese only.
func TestUIDutyListErrorsInChinese(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		saveList(t, f, "43", units.Township, "2026-01-01", townshipList)
		f.person("tj-jianfu", "430922", "burden@430922")
		b := f.uiClient("zh-CN")
		b.signIn("tj-jianfu")
		form := url.Values{"owner": {"430922"}, "level": {"township"}, "effective": {"2026-03-01"}}

		// A formula in a cell of the negative list.
		x, err := excelize.OpenReader(bytes.NewReader(dutyBook(t, townshipList...)))
		if err != nil {
			t.Fatal(err)
		}
		x.SetCellFormula("负面清单 Negative list", "B2", `CONCAT("a","b")`)
		var buf bytes.Buffer
		x.Write(&buf)
		r := b.upload("/units/430922100/duties", form, "list.xlsx", buf.Bytes())
		uiMust(t, r, http.StatusBadRequest, `<html lang="zh-CN">`, "工作表“负面清单 Negative list”第 2 行 B 列有误：不接受公式，请直接填写数值")
		uiMustNot(t, r, "formulas are not accepted", "row 2", "column B")
		if bad := latinWords(errorText(t, r.body), "Negative list"); len(bad) > 0 {
			t.Errorf("English in the Chinese notice %q: %v", errorText(t, r.body), bad)
		}

		// An assisting duty without its lead office.
		r = b.upload("/units/430922100/duties", form, "list.xlsx", dutyBook(t, duties.Matter{Code: "T05", Name: "河道巡查", Category: duties.Assist}))
		uiMust(t, r, http.StatusBadRequest, "工作表“配合职责 Assisting duties”第 2 行 E 列有误：配合职责须写明牵头部门")
		uiMustNot(t, r, "names its lead office")

		// Not a workbook at all: the reader's own words stay out.
		r = b.upload("/units/430922100/duties", form, "list.xlsx", []byte("junk"))
		uiMust(t, r, http.StatusBadRequest, "工作簿无法读取：不是 Excel 工作簿（.xlsx）")
		if bad := latinWords(errorText(t, r.body), "Excel", "xlsx"); len(bad) > 0 {
			t.Errorf("English in the Chinese notice %q: %v", errorText(t, r.body), bad)
		}

		// A matter taken off the negative list it inherits.
		r = b.upload("/units/430922100/duties", form, "list.xlsx", dutyBook(t, duties.Matter{Code: "T03", Name: "食品生产经营许可", Category: duties.Own}))
		uiMust(t, r, http.StatusBadRequest, "职责清单有误：事项“T03”在 43 设定的负面清单上，下级不能将其移出")
		uiMustNot(t, r, "negative list set by", "duty list")
		if bad := latinWords(errorText(t, r.body), "T03"); len(bad) > 0 {
			t.Errorf("English in the Chinese notice %q: %v", errorText(t, r.body), bad)
		}
	})
}

// The API says what is wrong with a duty list in both languages.
func TestAPIDutyListErrorInBothLanguages(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		saveList(t, f, "43", units.Township, "2026-01-01", townshipList)
		_, county := f.person("tj-jianfu", "430922", "burden@430922")
		status, body := f.do("POST", "/api/v1/duty-lists", county, DutyListBody{Owner: "430922", Level: units.Township, Effective: "2026-03-01",
			Matters: []duties.Matter{{Code: "T03", Name: "食品生产经营许可", Category: duties.Own}}})
		e := decodeJSON[map[string]Error](t, body)["error"]
		if status != 400 || e.Field != "matters.T03" ||
			e.Message.ZH != "职责清单有误：事项“T03”在 43 设定的负面清单上，下级不能将其移出" ||
			e.Message.EN != `The duty list is wrong: matter "T03": is on the negative list set by 43; a lower office may not take it off` {
			t.Fatalf("negative list: %d %s", status, body)
		}
		status, body = f.do("POST", "/api/v1/duty-lists", county, DutyListBody{Owner: "430922", Level: units.Township, Effective: "2026-03-01",
			Matters: []duties.Matter{{Code: "T07", Name: "河道巡查", Category: duties.Own}, {Code: "T07", Name: "河道保洁", Category: duties.Own}}})
		e = decodeJSON[map[string]Error](t, body)["error"]
		if status != 400 || e.Message.ZH != "职责清单有误：事项“T07”重复出现" || e.Message.EN != `The duty list is wrong: matter "T07": appears twice` {
			t.Fatalf("twice: %d %s", status, body)
		}
	})
}

// A policy document naming no such parameter is refused in both
// languages; the form shows a loosening in Chinese.
func TestPolicyErrorsInChinese(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		_, burden := f.person("jianfu", "430922", "burden@430922")
		status, body := f.do("PUT", "/api/v1/policies/430922", burden, PolicyBody{Params: map[string]int{"lead.time.reprot": 7}})
		e := decodeJSON[map[string]Error](t, body)["error"]
		if status != 400 || e.Field != "params.lead.time.reprot" ||
			e.Message.ZH != "减负规则文件有误：参数“lead.time.reprot”：没有这个参数（见参数列表）" ||
			e.Message.EN != `The policy document is wrong: parameter "lead.time.reprot": no such parameter (see the list of parameters)` {
			t.Fatalf("unknown parameter: %d %s", status, body)
		}
		status, body = f.do("PUT", "/api/v1/policies/430922", burden, PolicyBody{Params: map[string]int{"doc.length": 99999999}})
		e = decodeJSON[map[string]Error](t, body)["error"]
		if status != 400 || e.Message.ZH != "减负规则文件有误：参数“doc.length”：99999999 超出允许范围 100…1000000" {
			t.Fatalf("out of bounds: %d %s", status, body)
		}

		c := f.uiClient("zh-CN")
		c.signIn("jianfu")
		r := c.post("/policy/430922", url.Values{"lead.time.report": {"3"}})
		uiMust(t, r, http.StatusBadRequest, "参数 lead.time.report 不能放宽到 3：上级规定为 5（来自 默认规则），下级只能从严。")
		uiMustNot(t, r, "cannot be loosened", "the default")
	})
}
