package web

import (
	"context"
	"testing"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
)

// workday is a working day at 10:00 at least n working days from now, so
// that fixtures pass lead.time and rest.days whatever the date.
func workday(n int) time.Time {
	d := calendar.Default().AddWorkdays(calendar.DateOf(time.Now()), n)
	return d.Time().Add(10 * time.Hour)
}

// goodReport is a report that passes every rule.
func goodReport(office units.Office) *gate.Demand {
	return &gate.Demand{OfficeID: office.ID, IssuerUnit: office.UnitCode, Kind: gate.Report, Title: "春耕生产情况统计",
		Body: "请填报春耕面积。", Targets: gate.Targets{Level: units.Township, Under: office.UnitCode}, Due: workday(10),
		Asks: gate.Asks{Fields: []gate.Field{{Name: "春耕面积"}}}}
}

// issuerIn makes an office at unit and an issuer working in it.
func (f *fixture) issuerIn(login, unit string) (units.Office, units.Person, string) {
	f.t.Helper()
	o := f.office(unit, login+"所在部门")
	ctx := context.Background()
	var p units.Person
	var token string
	err := f.db.Write(ctx, store.System, func(tx *store.Tx) error {
		var err error
		p, err = tx.CreatePerson(ctx, store.NewPerson{Login: login, Name: login, UnitCode: unit, OfficeID: o.ID, PasswordHash: fixtureHash(),
			Grants: []units.Grant{{Role: units.RoleIssuer, UnitCode: unit}}})
		if err != nil {
			return err
		}
		_, token, err = tx.CreateAPIToken(ctx, p, "test", 0)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return o, p, token
}

// demand saves d as a draft of its office and, with submit, runs the gate.
func (f *fixture) demand(t *testing.T, d *gate.Demand, submit bool) *store.DemandRecord {
	t.Helper()
	ctx := context.Background()
	if err := f.db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.CreateDemand(ctx, d) }); err != nil {
		t.Fatal(err)
	}
	if submit {
		rec, _, err := f.db.SubmitDemand(ctx, store.System, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	rec, err := f.db.Demand(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}
