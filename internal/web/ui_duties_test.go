package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"lighten/internal/duties"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
)

// upload posts a form as a browser posts one with a file input: the
// fields, and the file under "file" when there is one.
func (c *uiClient) upload(path string, fields url.Values, name string, file []byte) uiResponse {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if file != nil {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(file)
	}
	mw.Close()
	req, err := http.NewRequest("POST", c.f.ts.URL+path, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return uiResponse{status: resp.StatusCode, body: string(b), header: resp.Header, location: resp.Header.Get("Location")}
}

func dutyBook(t *testing.T, matters ...duties.Matter) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := duties.WriteXLSX(&buf, matters); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// saveList stores a version of a duty list as the system.
func saveList(t *testing.T, f *fixture, owner string, l units.Level, effective string, matters []duties.Matter) {
	t.Helper()
	day, _ := time.ParseInLocation("2006-01-02", effective, gate.China)
	list := &duties.List{Owner: owner, Level: l, Effective: day, Matters: matters}
	if err := f.db.Write(context.Background(), store.System, func(tx *store.Tx) error { return tx.SaveDutyList(context.Background(), list) }); err != nil {
		t.Fatal(err)
	}
}

// Anyone reads a township's list in force on a day and downloads it; the
// county's burden office uploads an adjustment, and a workbook at fault is
// refused with what is wrong where.
func TestUIDutyList(t *testing.T) {
	f := newFixture(t, store.SQLite)
	saveList(t, f, "43", units.Township, "2026-01-01", townshipList)
	f.person("tj-jianfu", "430922", "burden@430922")
	f.person("zhen", "430922100", "cadre@430922100")

	pub := f.uiClient("en")
	uiMust(t, pub.get("/units/430922100"), http.StatusOK, `href="/units/430922100/duties"`)
	uiMustNot(t, pub.get("/units/430922"), `href="/units/430922/duties"`)
	r := pub.get("/units/430922100/duties?date=2026-06-01")
	uiMust(t, r, http.StatusOK, "Duty list of 桃花江镇", `value="2026-06-01"`, "The list in force on 2026-06-01.",
		"Receiving applications for subsistence allowance", "Basis: 《社会救助暂行办法》第十一条", "Lead office: 县自然资源局",
		"食品生产经营许可", "Set by the list of 湖南省", "湖南省, version 1", `href="/units/430922100/duties.xlsx?date=2026-06-01"`)
	uiMustNot(t, r, `enctype="multipart/form-data"`)
	uiMust(t, pub.get("/units/430922100/duties?date=2025-06-01"), http.StatusOK, "No matters.", "No list yet.")
	uiMust(t, pub.get("/units/430922100/duties?date=someday"), http.StatusBadRequest)

	x := pub.get("/units/430922100/duties.xlsx?date=2026-06-01")
	if x.status != http.StatusOK || !strings.Contains(x.header.Get("Content-Disposition"), "duties-430922100-2026-06-01.xlsx") {
		t.Fatalf("download: %d %v", x.status, x.header)
	}
	if got, err := duties.ReadXLSX(strings.NewReader(x.body)); err != nil || len(got) != 3 {
		t.Fatalf("downloaded list: %v %+v", err, got)
	}

	cadre := f.uiClient("en")
	cadre.signIn("zhen")
	uiMustNot(t, cadre.get("/units/430922100/duties"), `enctype="multipart/form-data"`)

	b := f.uiClient("en")
	b.signIn("tj-jianfu")
	r = b.get("/units/430922100/duties")
	uiMust(t, r, http.StatusOK, `enctype="multipart/form-data"`, `<option value="430922" selected>`)
	uiMustNot(t, r, `<option value="43"`) // the province's list is not the county's to change
	form := url.Values{"owner": {"430922"}, "level": {"township"}, "effective": {"2026-03-01"}, "note": {"县级调整"}}

	// Faults: none stored, each said where it is.
	r = b.upload("/units/430922100/duties", form, "list.xlsx", dutyBook(t, duties.Matter{Code: "T05", Name: "河道巡查", Category: duties.Assist}))
	uiMust(t, r, http.StatusBadRequest, "row 2, column E", "an assisting duty names its lead office", `value="2026-03-01"`, "县级调整")
	r = b.upload("/units/430922100/duties", form, "list.xlsx", dutyBook(t, duties.Matter{Code: "T03", Name: "食品生产经营许可", Category: duties.Own}))
	uiMust(t, r, http.StatusBadRequest, "The duty list is wrong", "negative list")
	uiMust(t, b.upload("/units/430922100/duties", form, "list.xlsx", []byte("junk")), http.StatusBadRequest, "The workbook could not be read")
	bad := url.Values{"owner": {"430922"}, "level": {"township"}, "effective": {"March"}}
	uiMust(t, b.upload("/units/430922100/duties", bad, "list.xlsx", dutyBook(t, townshipList...)), http.StatusBadRequest, "&#34;March&#34; is not a date")
	r = b.upload("/units/430922100/duties", form, "", nil)
	if r.status != http.StatusSeeOther || r.location != "/units/430922100/duties?error=file#upload" {
		t.Fatalf("no file: %d %q", r.status, r.location)
	}
	uiMust(t, b.get(r.location), http.StatusOK, "Choose the workbook to upload.")
	province := url.Values{"owner": {"43"}, "level": {"township"}, "effective": {"2026-03-01"}}
	uiMust(t, b.upload("/units/430922100/duties", province, "list.xlsx", dutyBook(t, townshipList...)), http.StatusForbidden)
	if lists, _ := f.db.DutyLists(context.Background(), ptrTo("430922")); len(lists) != 0 {
		t.Fatalf("stored after faults: %+v", lists)
	}

	r = b.upload("/units/430922100/duties", form, "list.xlsx", dutyBook(t, duties.Matter{Code: "T04", Name: "森林防火巡查", Category: duties.Own, Basis: "《森林防火条例》"}))
	if r.status != http.StatusSeeOther || r.location != "/units/430922100/duties?done=saved&date=2026-03-01" {
		t.Fatalf("upload: %d %q %s", r.status, r.location, r.body)
	}
	uiMust(t, b.get(r.location), http.StatusOK, "New version saved.", "森林防火巡查", "Set by the list of 桃江县", "桃江县, version 1", "县级调整")
	// The county's own page lists the versions it set.
	uiMust(t, pub.get("/units/430922/duties"), http.StatusOK, "Versions set at this level", "桃江县, version 1")
}

// A township refuses a demand from its inbox citing its list; a wrong
// citation is refused next to the field; the burden office upholds it and
// the demand leaves the inbox.
func TestUINotOurs(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		saveList(t, f, "43", units.Township, "2020-01-01", townshipList)
		office, _, _ := f.issuerIn("minzheng", "430922")
		f.person("zhen", "430922100", "cadre@430922100")
		f.person("jianfu", "430922", "burden@430922")
		food := goodReport(office)
		food.Title, food.Matter = "食品经营户统计", "T03"
		d1 := f.demand(t, food, true)
		own := goodReport(office)
		own.Title, own.Matter = "低保申请统计", "T01"
		d2 := f.demand(t, own, true)
		c := f.uiClient("en")
		c.signIn("zhen")
		refuse := func(id int64) string { return fmt.Sprintf("/units/430922100/inbox/%d/refuse", id) }

		uiMust(t, c.get("/units/430922100/inbox"), http.StatusOK, `href="`+refuse(d1.ID)+`"`, `href="`+refuse(d2.ID)+`"`, "Not ours")
		r := c.get(refuse(d1.ID))
		uiMust(t, r, http.StatusOK, "食品经营户统计", "Its matter: T03", `<option value="">Its matter is on no list of ours</option>`,
			`<optgroup label="Negative list"><option value="T03" selected>T03 食品生产经营许可</option>`, `<optgroup label="Own duties">`)

		uiMust(t, c.post(refuse(d1.ID), url.Values{"matter": {"T03"}, "reason": {" "}}), http.StatusBadRequest, "Write the reason.")
		uiMust(t, c.post(refuse(d1.ID), url.Values{"matter": {"T99"}, "reason": {"不是我们的"}}), http.StatusBadRequest,
			"Matter &#34;T99&#34; is not on this unit&#39;s duty list", "不是我们的")
		uiMust(t, c.post(refuse(d2.ID), url.Values{"matter": {""}, "reason": {"不是我们的"}}), http.StatusBadRequest, "own or assisting list")

		r = c.post(refuse(d1.ID), url.Values{"matter": {"T03"}, "reason": {"食品经营许可属市场监管部门职责"}})
		if want := fmt.Sprintf("/units/430922100/inbox?refused=%d#d%d", d1.ID, d1.ID); r.status != http.StatusSeeOther || r.location != want {
			t.Fatalf("refuse: %d %q %s", r.status, r.location, r.body)
		}
		r = c.get(r.location)
		uiMust(t, r, http.StatusOK, "Refused; the burden-reduction office will decide.", "Not ours: awaiting decision")
		uiMustNot(t, r, `href="`+refuse(d1.ID)+`"`)
		uiMust(t, c.post(refuse(d1.ID), url.Values{"reason": {"again"}}), http.StatusConflict, `<p class="done" role="status">Not ours: awaiting decision</p>`)
		uiMust(t, c.get("/refusals"), http.StatusForbidden)

		b := f.uiClient("en")
		b.signIn("jianfu")
		r = b.get("/refusals")
		uiMust(t, r, http.StatusOK, "食品经营户统计", "T03 食品生产经营许可 (Negative list)", "食品经营许可属市场监管部门职责",
			`action="/refusals/`, `href="/demands/`+itoa(d1.ID)+`"`)
		var refID int64
		list, _ := f.db.Refusals(context.Background(), []string{""}, "")
		for _, x := range list {
			refID = x.ID
		}
		decide := fmt.Sprintf("/refusals/%d/decision", refID)
		uiMust(t, b.post(decide, url.Values{"decision": {"uphold"}}), http.StatusBadRequest, "Write the reason.",
			`<p class="error" role="alert">Write the reason. <a href="#reason-`+itoa(refID)+`">`, `aria-invalid="true" autofocus`)
		uiMust(t, b.post(decide, url.Values{"reason": {"x"}}), http.StatusBadRequest, "Choose to uphold or to overturn.")
		uiMust(t, c.post(decide, url.Values{"decision": {"uphold"}, "reason": {"x"}}), http.StatusForbidden)
		r = b.post(decide, url.Values{"decision": {"uphold"}, "reason": {"确属市场监管局职责，退回发文部门"}})
		if r.status != http.StatusSeeOther || r.location != "/refusals?done=upheld" {
			t.Fatalf("uphold: %d %q %s", r.status, r.location, r.body)
		}
		uiMust(t, b.get(r.location), http.StatusOK, "Refusal upheld.", "No refusals wait for a decision.", `<span class="tag ok">Upheld</span>`,
			"确属市场监管局职责，退回发文部门")
		uiMust(t, b.post(decide, url.Values{"decision": {"overturn"}, "reason": {"改判"}}), http.StatusConflict)
		uiMustNot(t, c.get("/units/430922100/inbox"), "食品经营户统计")
		uiMust(t, b.get("/duties/stats"), http.StatusOK, "Duty figures", "minzheng所在部门", "Refusals by matter", "T03")
	})
}

// A township summons the offices of its county and city; one acknowledges
// and answers late, the other never does; the page and the figures say so.
func TestUIEscalations(t *testing.T) {
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, gate.China) // a Monday
	db := openAt(t, &now)
	if _, err := db.ImportUnits(context.Background(), store.System, fixtureUnits, nil); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, srv: New(db, Options{})}
	f.ts = newTestServer(t, f.srv)
	county, _, _ := f.issuerIn("ziranziyuan", "430922")
	city := f.office("4309", "益阳市水利局")
	province := f.office("43", "湖南省水利厅")
	neighbour := f.office("430923", "安化县水利局")
	f.person("zhen", "430922100", "cadre@430922100")
	f.person("cun", "430922100201", "cadre@430922100201")
	f.person("jianfu", "430922", "burden@430922")

	c := f.uiClient("en")
	c.signIn("zhen")
	r := c.get("/escalations")
	uiMust(t, r, http.StatusOK, `action="/escalations"`, `<input type="hidden" name="unit" value="430922100">`,
		`value="`+itoa(county.ID)+`"`, `value="`+itoa(city.ID)+`"`, "益阳市水利局", "No escalations.")
	uiMustNot(t, r, `value="`+itoa(province.ID)+`"`, `value="`+itoa(neighbour.ID)+`"`)

	form := url.Values{"unit": {"430922100"}, "title": {"资江河道夜间非法采砂"}, "matter": {"非法采砂"}, "description": {"乡镇无执法权"}}
	uiMust(t, c.post("/escalations", form), http.StatusBadRequest, "Tick at least one office.", `value="资江河道夜间非法采砂"`, "<details open>")
	form["office"] = []string{itoa(neighbour.ID)}
	uiMust(t, c.post("/escalations", form), http.StatusBadRequest, "is not above this township")
	form["office"] = []string{itoa(county.ID), itoa(city.ID)}
	noTitle := url.Values{"unit": {"430922100"}, "office": {itoa(county.ID)}}
	uiMust(t, c.post("/escalations", noTitle), http.StatusBadRequest, "Say what the problem is.")
	r = c.post("/escalations", form)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/escalations?done=raised#e") {
		t.Fatalf("raise: %d %q %s", r.status, r.location, r.body)
	}
	id := strings.TrimPrefix(r.location, "/escalations?done=raised#e")
	uiMust(t, c.get(r.location), http.StatusOK, "Escalated; the offices summoned see it.", "资江河道夜间非法采砂", "Matter: 非法采砂",
		"<dd>2026-06-02 09:00</dd>", "<dd>2026-06-08 17:30</dd>", "Not acknowledged")

	// A village raises none and sees none.
	v := f.uiClient("en")
	v.signIn("cun")
	r = v.get("/escalations")
	uiMust(t, r, http.StatusOK, "No escalations.")
	uiMustNot(t, r, `action="/escalations"`)

	now = now.Add(3 * time.Hour)
	i := f.uiClient("en")
	i.signIn("ziranziyuan")
	r = i.get("/escalations")
	uiMust(t, r, http.StatusOK, `action="/escalations/`+id+`/ack"`, `action="/escalations/`+id+`/respond"`)
	uiMust(t, c.post("/escalations/"+id+"/ack", nil), http.StatusForbidden)
	if r = i.post("/escalations/"+id+"/ack", nil); r.status != http.StatusSeeOther {
		t.Fatalf("ack: %d %s", r.status, r.body)
	}
	uiMust(t, i.get(r.location), http.StatusOK, "Acknowledged.", "Acknowledged 2026-06-01 12:00")
	uiMust(t, i.post("/escalations/"+id+"/respond", url.Values{"response": {" "}}), http.StatusBadRequest, "Write the response.")

	now = time.Date(2026, 6, 10, 10, 0, 0, 0, gate.China)
	// Sessions of nine days ago have ended.
	i.signIn("ziranziyuan")
	c.signIn("zhen")
	if r = i.post("/escalations/"+id+"/respond", url.Values{"response": {"已联合水利局查处，没收采砂船一艘"}}); r.status != http.StatusSeeOther {
		t.Fatalf("respond: %d %s", r.status, r.body)
	}
	r = c.get("/escalations")
	uiMust(t, r, http.StatusOK, `<li id="e`+id+`" class="late">`, `<span class="tag warn">Late</span>`, `<span class="tag warn">Responded 2026-06-10 10:00</span>`,
		`<span class="tag ok">Acknowledged 2026-06-01 12:00</span>`, "已联合水利局查处", `<span class="tag warn">Acknowledged late</span>`)

	b := f.uiClient("en")
	b.signIn("jianfu")
	r = b.get("/duties/stats?from=2026-01-01&to=2026-12-31")
	uiMust(t, r, http.StatusOK, "Escalations answered late", "益阳市水利局", "ziranziyuan所在部门", `<td class="n late">2</td>`, `<td class="n late">1</td>`)
}
