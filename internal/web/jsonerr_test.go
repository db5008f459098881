package web

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"lighten/internal/store"
)

// A body that does not decode is answered with what is wrong and where,
// in both languages, naming the field when one is at fault.
func TestJSONErrors(t *testing.T) {
	f := newFixture(t, store.SQLite)
	_, _, issuer := f.issuerIn("yingji", "430922")
	for name, c := range map[string]struct {
		body, field, zh, en string
	}{
		"syntax":        {`{"plan": "p",}`, "", "第 14 个字节处有语法错误", "a syntax error at byte 14"},
		"cut short":     {`{"plan": "p"`, "", "请求体为空，或 JSON 不完整", "is empty, or its JSON is cut short"},
		"empty":         {``, "", "请求体为空，或 JSON 不完整", "is empty, or its JSON is cut short"},
		"type":          {`{"plan": 7}`, "plan", "字段“plan”的类型不对：应为字符串，收到的是数字。", `Field \"plan\" has the wrong type: a string expected, a number given.`},
		"whole number":  {`{"plan": "p", "min_per_tier": 1.5}`, "min_per_tier", "应为整数，收到的是数字", "a whole number expected, a number given"},
		"unknown field": {`{"plan": "p", "colour": "red"}`, "colour", "请求体中有未知字段“colour”", `Unknown field \"colour\" in the request body.`},
		"trailing":      {`{"plan": "p"} {}`, "", "JSON 值之后还有多余的内容", "There is more after the JSON value."},
	} {
		req, err := http.NewRequest("POST", f.ts.URL+"/api/v1/draws", strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+issuer)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		status, b := resp.StatusCode, string(body)
		if status != 400 || !strings.Contains(b, c.zh) || !strings.Contains(b, c.en) ||
			(c.field != "" && !strings.Contains(b, `"field":"`+c.field+`"`)) || strings.Contains(b, "json:") {
			t.Errorf("%s: %d %s", name, status, b)
		}
	}
}
