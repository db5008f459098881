package store_test

import (
	"context"
	"errors"
	"testing"

	"lighten/internal/audit"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

var sample = []units.Unit{
	{Code: "43", Name: "湖南省", Level: units.Province},
	{Code: "4309", Name: "益阳市", Level: units.City, Parent: "43"},
	{Code: "430922", Name: "桃江县", Level: units.County, Parent: "4309"},
	{Code: "430922100", Name: "桃花江镇", Level: units.Township, Parent: "430922"},
	{Code: "430922100001", Name: "桃花江社区", Level: units.Village, Parent: "430922100"},
	{Code: "430922100201", Name: "三里桥村", Level: units.Village, Parent: "430922100"},
	{Code: "11", Name: "北京市", Level: units.Province},
}

func TestStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, err := db.ImportUnits(ctx, store.System, sample, nil)
		if err != nil {
			t.Fatal(err)
		}
		if st.Added != len(sample) {
			t.Fatalf("added %d, want %d", st.Added, len(sample))
		}
		renamed := append([]units.Unit(nil), sample...)
		renamed[2].Name = "桃江縣"
		st, err = db.ImportUnits(ctx, store.System, renamed, nil)
		if err != nil || st.Added != 0 || st.Renamed != 1 || st.Unchanged != len(sample)-1 {
			t.Fatalf("re-import: %+v %v", st, err)
		}
		tree, err := db.Tree(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if u, ok := tree.Get("430922"); !ok || u.Name != "桃江縣" {
			t.Fatalf("tree after rename: %+v %v", u, ok)
		}
		if c := tree.SubtreeCounts("43"); c[0] != 5 || c[units.Village] != 2 {
			t.Fatalf("counts %v", c)
		}
		if n, err := db.CountUnitsSQL(ctx, "43"); err != nil || n != 5 {
			t.Fatalf("sql count %d %v", n, err)
		}

		var office units.Office
		var p units.Person
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			office = units.Office{UnitCode: "430922", Name: "县民政局"}
			if err := tx.CreateOffice(ctx, &office); err != nil {
				return err
			}
			p, err = tx.CreatePerson(ctx, store.NewPerson{Login: "zhang", Name: "张三", UnitCode: "430922", OfficeID: office.ID,
				Grants: []units.Grant{{Role: units.RoleIssuer, UnitCode: "430922"}}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Person(ctx, p.ID)
		if err != nil || got.Login != "zhang" || len(got.Grants) != 1 || got.OfficeID != office.ID {
			t.Fatalf("person %+v %v", got, err)
		}
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			_, err := tx.CreatePerson(ctx, store.NewPerson{Login: "zhang", Name: "again", UnitCode: "430922"})
			return err
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate login: %v", err)
		}
		// The refusal says what, in both languages, and names the field.
		var ce *store.ConflictError
		if !errors.As(err, &ce) || ce.Field != "login" || ce.Message().ZH != "登录名“zhang”已被占用。" ||
			ce.Message().EN != `The login "zhang" is taken.` {
			t.Fatalf("duplicate login: %#v", ce)
		}
		// A failed transaction leaves neither the change nor its audit.
		n, err := db.VerifyAudit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 5 { // two imports, the office, the person and the grant
			t.Fatalf("audit records %d, want 5", n)
		}
		people, total, err := db.ListPeople(ctx, store.ListQuery{Scopes: []string{"4309"}, Text: "张"})
		if err != nil || total != 1 || len(people) != 1 {
			t.Fatalf("list people %v %d %v", people, total, err)
		}
		people, total, _ = db.ListPeople(ctx, store.ListQuery{Scopes: []string{"11"}})
		if total != 0 || len(people) != 0 {
			t.Fatalf("people outside scope: %v", people)
		}
		sess := ""
		db.Write(ctx, store.Actor{ID: p.ID, Login: p.Login}, func(tx *store.Tx) error {
			sess, err = tx.CreateSession(ctx, got, "password")
			return err
		})
		if who, err := db.PersonBySession(ctx, sess); err != nil || who.ID != p.ID {
			t.Fatalf("session: %v %v", who, err)
		}
		if _, err := db.PersonBySession(ctx, sess+"x"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("bad session: %v", err)
		}
		recs, err := db.ListAudit(ctx, store.AuditQuery{Scopes: []string{"430922"}})
		if err != nil || len(recs) == 0 || recs[0].Action != "session.create" {
			t.Fatalf("audit list %v %v", recs, err)
		}

		// Tampering with any record breaks the chain at that record.
		if err := db.Exec(ctx, `UPDATE audit SET after = '{"login":"li"}' WHERE seq = 4`); err != nil {
			t.Fatal(err)
		}
		_, err = db.VerifyAudit(ctx)
		var br *audit.Break
		if !errors.As(err, &br) || br.Seq != 4 {
			t.Fatalf("tampered chain: %v", err)
		}
	})
}

func TestAuditRemovalDetected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := 0; i < 3; i++ {
			if _, err := db.ImportUnits(ctx, store.System, sample[:1+i], nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Exec(ctx, `DELETE FROM audit WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		_, err := db.VerifyAudit(ctx)
		var br *audit.Break
		if !errors.As(err, &br) || br.Seq != 3 {
			t.Fatalf("removed record: %v", err)
		}
	})
}

// A database migrated by a newer lighten is refused, not guessed at.
func TestRefusesNewerSchema(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, know, err := db.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, TRUE)`, know+1); err != nil {
			t.Fatal(err)
		}
		dsn := db.DSNForTest()
		_, err = store.Open(ctx, dsn, store.Options{})
		if !errors.Is(err, store.ErrSchemaNewer) {
			t.Fatalf("opened a newer schema: %v", err)
		}
	})
}
