package store_test

import (
	"context"
	"slices"
	"testing"

	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

// A search for % or _ (or \) finds only names that hold them, on both
// databases: LIKE's wildcards in the text are taken literally.
func TestSearchTakesWildcardsLiterally(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		tree := []units.Unit{{Code: "43", Name: "湖南省", Level: units.Province}}
		if _, err := db.ImportUnits(ctx, store.System, tree, nil); err != nil {
			t.Fatal(err)
		}
		names := map[string]string{"under": "王_伟", "percent": "李%强", "slash": `赵\明`, "plain": "张伟", "plain2": "刘强"}
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			for login, name := range names {
				if _, err := tx.CreatePerson(ctx, store.NewPerson{Login: login, Name: name, UnitCode: "43", PasswordHash: "x"}); err != nil {
					return err
				}
				if err := tx.CreateOffice(ctx, &units.Office{UnitCode: "43", Name: name + "办公室"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			q    string
			want []string
		}{
			{"_", []string{"王_伟"}},
			{"%", []string{"李%强"}},
			{`\`, []string{`赵\明`}},
			{"王_", []string{"王_伟"}},
			{"%强", []string{"李%强"}},
			{"伟", []string{"张伟", "王_伟"}},
		} {
			ps, total, err := db.ListPeople(ctx, store.ListQuery{Scopes: []string{""}, Text: c.q})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.Name)
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) || total != len(c.want) {
				t.Errorf("people ?q=%s: %v (%d), want %v", c.q, got, total, c.want)
			}
			os, total, err := db.ListOffices(ctx, store.ListQuery{Scopes: []string{""}, Text: c.q})
			if err != nil {
				t.Fatal(err)
			}
			got = nil
			for _, o := range os {
				got = append(got, o.Name[:len(o.Name)-len("办公室")])
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) || total != len(c.want) {
				t.Errorf("offices ?q=%s: %v (%d), want %v", c.q, got, total, c.want)
			}
		}
	})
}
