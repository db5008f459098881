package web

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lighten/internal/calendar"
	"lighten/internal/store"
)

// On a phone, the leader fills in part of the field record, then takes a
// photo and uploads it before saving: the page comes back with the photo
// and with everything typed, saved.
func TestBrowserPhotoKeepsTheRecord(t *testing.T) {
	ctx := browser(t)
	e := newVisitEnv(t, store.SQLite)
	*e.now = visitDay(e.visit.Day)
	base := e.f.ts.URL
	id := itoa(e.visit.ID)
	check := `select[name="check.` + visitItemCode + `.C1"]`
	note := `input[name="check.` + visitItemCode + `.C1.note"]`

	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "board.png")
	if err := os.WriteFile(file, img.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "sign in as the team leader", signInSteps(base, e.people[e.leader].Login)...)
	do(t, ctx, "start the visit",
		chromedp.Navigate(base+"/visits"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/visits/`+id+`/start"] button`)),
		chromedp.Click(chromedp.CSS(`form[action="/visits/`+id+`/start"] button`)),
		chromedp.WaitVisible(chromedp.CSS(check)),
	)
	do(t, ctx, "type part of the record, then upload a photo",
		chromedp.SetValue(chromedp.CSS(check), "fail"),
		chromedp.SendKeys(chromedp.CSS(note), "预案未张贴"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="finding.0.text"]`), "应急预案未上墙"),
		chromedp.SetUploadFiles(chromedp.CSS(`#photo`), []string{file}),
		chromedp.Click(chromedp.CSS(`button[name="upload"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.done, p.error`)),
	)
	if msg := text(t, ctx, "main"); !strings.Contains(msg, "board.png") {
		t.Fatalf("after the upload: %s", msg)
	}
	fullScreenshot(t, ctx, "visit-photo")
	got, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(check)))
	if err != nil || got != "fail" {
		t.Fatalf("the check after the upload: %q %v", got, err)
	}
	if got, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(note))); err != nil || got != "预案未张贴" {
		t.Fatalf("the note after the upload: %q %v", got, err)
	}
	rec, err := e.f.db.FieldRecord(context.Background(), e.visit.ID)
	if err != nil || rec == nil || len(rec.Checks) != 1 || rec.Checks[0].Result != "fail" || len(rec.Findings) != 1 || len(rec.Photos) != 1 {
		t.Fatalf("saved record: %+v %v", rec, err)
	}
}

// The burden office runs the scheduler from the page with its default
// window: the page shows the preview first (a visit moves, its leader had
// seen the day, no target named while the draw is sealed), and the run is
// applied only by its confirm button, after which the page shows it.
func TestBrowserSchedulePreview(t *testing.T) {
	ctx := browser(t)
	e := newVisitEnv(t, store.SQLite)
	f := e.f
	bg := context.Background()
	vs, _ := f.db.VisitsOfItem(bg, visitItemCode)
	if err := f.db.MarkVisitsShown(bg, e.leader, vs); err != nil {
		t.Fatal(err)
	}
	list, _ := f.db.Inspectors(bg, store.InspectorFilter{})
	for _, in := range list {
		if in.Number == e.member {
			in.Away = []calendar.Date{e.visit.Day}
			if err := f.db.Write(bg, store.System, func(tx *store.Tx) error { return tx.SaveInspector(bg, &in) }); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.person("jianfu", "430922", "burden@430922")
	base := f.ts.URL
	do(t, ctx, "sign in as the burden office", signInSteps(base, "jianfu")...)
	do(t, ctx, "preview a run over the form's own window",
		chromedp.Navigate(base+"/schedule"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/schedule"] button[type="submit"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/schedule"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#preview`)),
	)
	fullScreenshot(t, ctx, "schedule-preview")
	preview := text(t, ctx, "#preview")
	for _, want := range []string{"draws not yet revealed", "teams whose visits move or drop are told"} {
		if !strings.Contains(preview, want) {
			t.Errorf("the preview lacks %q:\n%s", want, preview)
		}
	}
	if strings.Contains(preview, e.targetName()) || strings.Contains(preview, e.visit.Unit) {
		t.Fatalf("the sealed preview names the target:\n%s", preview)
	}
	if runs, _ := f.db.ScheduleRuns(bg, "430922"); len(runs) != 1 {
		t.Fatalf("the preview stored a run: %d", len(runs))
	}
	do(t, ctx, "confirm the run",
		chromedp.Click(chromedp.CSS(`#confirm-run`)),
		chromedp.WaitVisible(chromedp.CSS(`p.done`)),
	)
	runs, _ := f.db.ScheduleRuns(bg, "430922")
	if len(runs) != 2 || runs[1].ReplacedLater != 1 {
		t.Fatalf("runs after the confirmation: %+v", runs)
	}
	if got := text(t, ctx, "p.done"); !strings.Contains(got, "Run "+itoa(runs[0].ID)+" applied") {
		t.Fatalf("done: %q", got)
	}
	if got := text(t, ctx, "#run-"+itoa(runs[1].ID)); strings.Contains(got, "replaced by later runs") || !strings.Contains(got, "shown once the draws are revealed") {
		t.Fatalf("the earlier run, sealed: %q", got)
	}
}
