package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"lighten/internal/collect"
)

// A village cadre reading Chinese is told what is wrong with a value in
// Chinese, with no English fragment, on the phone form.
func TestUIReportFormChinese(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		cu := newCollectUI(t, f)
		c := f.uiClient("zh-CN")
		c.signIn("cun")
		first := fmt.Sprintf("/units/430922100201/reports/%d", cu.first.ID)
		r := c.post(first, url.Values{"key": {"phone-zh"}, "v.HH": {"12x"}, "v.POP": {""}})
		uiMust(t, r, http.StatusBadRequest, "有 2 处需要修改", `value="12x"`, "填写有误：“12x”不是整数。", "请填写这一项。")
		uiMustNot(t, r, "whole number", ": required", "Not accepted", "Fill this in", "unit 430922100201", "单位 430922100201：")

		// A value below the minimum, and a rule over two values.
		r = c.post(first, url.Values{"key": {"phone-zh"}, "v.HH": {"-1"}, "v.POP": {"480"}})
		uiMust(t, r, http.StatusBadRequest, "填写有误：-1 小于最小值 0。")
		uiMustNot(t, r, "below the minimum", "Not accepted")

		// The same mistakes read in English for a reader of English.
		en := f.uiClient("en")
		en.signIn("cun")
		r = en.post(first, url.Values{"key": {"phone-en"}, "v.HH": {"12x"}, "v.POP": {""}})
		uiMust(t, r, http.StatusBadRequest, "Not accepted: &#34;12x&#34; is not a whole number", "Fill this in.")
		uiMustNot(t, r, "不是整数", "此项必填")
	})
}

// The API answers a refused submission with every problem in both
// languages, and an element's fault likewise.
func TestAPICollectProblemsInBothLanguages(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		cu := newCollectUI(t, f)
		_, village := f.person("cun2", "430922100201", "cadre@430922100201")
		_, town := f.person("zhen", "430922100", "cadre@430922100")
		_, _, police := f.issuerIn("gongan", "430922")
		path := fmt.Sprintf("/api/v1/units/430922100201/reports/%d/submission", cu.first.ID)

		status, body := f.do("POST", path, village, collect.Submission{Values: map[string]string{"HH": "many", "CARS": "3"}})
		if status != http.StatusBadRequest {
			t.Fatalf("submission: %d %s", status, body)
		}
		var se struct {
			Error struct {
				Message struct{ ZH, EN string }
			}
			Errors []struct {
				Unit, Element string
				Message       map[string]string
			}
		}
		if err := json.Unmarshal(body, &se); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		want := map[string][2]string{
			"HH":   {"单位 430922100201：“many”不是整数。", `unit 430922100201: "many" is not a whole number`},
			"POP":  {"单位 430922100201：此项必填。", "unit 430922100201: required"},
			"CARS": {"单位 430922100201：本报表不要求填报“CARS”。", `unit 430922100201: this report does not ask for "CARS"`},
		}
		if len(se.Errors) != len(want) || se.Error.Message.ZH == "" || se.Error.Message.EN == "" {
			t.Fatalf("errors: %s", body)
		}
		for _, e := range se.Errors {
			w, ok := want[e.Element]
			if !ok || e.Unit != "430922100201" || e.Message["zh"] != w[0] || e.Message["en"] != w[1] || len(e.Message) != 2 {
				t.Errorf("%s: %+v, want %q", e.Element, e, w)
			}
		}

		// Many units at once: a unit given twice is said in both languages.
		bulk := []collect.Submission{
			{Unit: "430922100202", Values: map[string]string{"HH": "90", "POP": "300"}},
			{Unit: "430922100202", Values: map[string]string{"HH": "90", "POP": "300"}},
		}
		status, body = f.do("POST", fmt.Sprintf("/api/v1/reports/%d/submissions", cu.first.ID), town, bulk)
		if status != http.StatusBadRequest || !strings.Contains(string(body), `"zh":"该单位出现了两次。"`) ||
			!strings.Contains(string(body), `"en":"the unit appears twice"`) {
			t.Fatalf("bulk: %d %s", status, body)
		}

		// An element proposed with a malformed code: the Chinese names the
		// field itself.
		status, body = f.do("POST", "/api/v1/elements", police, collect.Element{Code: "A B", Name: "甲", Type: collect.Integer, Period: collect.Year})
		var ae struct {
			Error struct {
				Field   string
				Message struct{ ZH, EN string }
			}
		}
		if err := json.Unmarshal(body, &ae); err != nil || status != http.StatusBadRequest || ae.Error.Field != "code" ||
			ae.Error.Message.ZH != "数据有误：编码“A B”无效：应为 1 至 64 个字符，不含空格、逗号或引号。" ||
			ae.Error.Message.EN != `The data is wrong: code: "A B": 1 to 64 characters without spaces, commas or quotes` {
			t.Fatalf("element: %d %s", status, body)
		}
	})
}
