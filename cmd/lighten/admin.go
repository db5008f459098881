package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"lighten/internal/audit"
	"lighten/internal/auth"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/units"
)

// roleFlags collects repeated --role ROLE@CODE flags.
type roleFlags struct {
	l      i18n.Lang
	grants []units.Grant
}

func (r *roleFlags) String() string {
	if r == nil || len(r.grants) == 0 {
		return ""
	}
	return fmt.Sprint(r.grants)
}

func (r *roleFlags) Set(v string) error {
	role, where, _ := strings.Cut(v, "@")
	ro, err := units.ParseRole(role)
	if err != nil {
		// The flag package quotes the text of Set's error, so it is
		// given in the command line's language here.
		return errors.New(errorText(r.l, err))
	}
	if where == "country" || where == "cn" {
		where = ""
	}
	if where != "" {
		if _, ok := units.LevelOfCode(where); !ok {
			return errors.New(i18n.T(r.l, "cli.user.role_code", where))
		}
	}
	r.grants = append(r.grants, units.Grant{Role: ro, UnitCode: where})
	return nil
}

func cmdUser(ctx context.Context, l i18n.Lang, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "unlock" {
		return cmdUserUnlock(ctx, l, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "add" {
		return failf("cli.user.usage")
	}
	fs := newFlags(l, "user add", stderr)
	dsn := dbFlag(l, fs, "lighten.db")
	login := fs.String("login", "", i18n.T(l, "cli.user.flag.login"))
	name := fs.String("name", "", i18n.T(l, "cli.user.flag.name"))
	unit := fs.String("unit", "", i18n.T(l, "cli.user.flag.unit"))
	office := fs.Int64("office", 0, i18n.T(l, "cli.user.flag.office"))
	phone := fs.String("phone", "", i18n.T(l, "cli.user.flag.phone"))
	pwStdin := fs.Bool("password-stdin", false, i18n.T(l, "cli.user.flag.password_stdin"))
	roles := &roleFlags{l: l}
	fs.Var(roles, "role", i18n.T(l, "cli.user.flag.role"))
	if err := parseFlags(l, fs, args[1:]); err != nil {
		return err
	}
	if !units.ValidLogin(*login) {
		return failf("cli.user.bad_login", *login)
	}
	if strings.TrimSpace(*name) == "" {
		return failf("cli.user.name_required")
	}
	password := ""
	if *pwStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return failf("cli.user.read_password", err)
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		password = auth.NewToken("")[:16]
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	t, err := db.Tree(ctx)
	if err != nil {
		return err
	}
	if _, ok := t.Get(*unit); !ok {
		return failf("cli.user.no_unit", *unit)
	}
	for _, g := range roles.grants {
		if _, ok := t.Get(g.UnitCode); g.UnitCode != "" && !ok {
			return failf("cli.user.role_no_unit", string(g.Role), g.UnitCode)
		}
	}
	if *office != 0 {
		o, err := db.Office(ctx, *office)
		if err != nil {
			return failf("cli.user.office", *office, err)
		}
		if o.UnitCode != *unit {
			return failf("cli.user.office_elsewhere", *office, o.UnitCode, *unit)
		}
	}
	var p units.Person
	err = db.Write(ctx, store.System, func(tx *store.Tx) error {
		p, err = tx.CreatePerson(ctx, store.NewPerson{Login: *login, Name: strings.TrimSpace(*name), UnitCode: *unit,
			OfficeID: *office, Phone: *phone, PasswordHash: hash, Grants: roles.grants})
		return err
	})
	if err != nil {
		return err
	}
	say(stdout, l, "cli.user.added", p.ID, p.Login, p.Name, p.UnitCode, len(p.Grants))
	if !*pwStdin {
		say(stdout, l, "cli.user.password", password)
	}
	return nil
}

// cmdUserUnlock lifts a person's sign-in lock-out from the server itself:
// the way in for the only administrator of the country, whom nobody above
// can unlock. It is audited, as the system.
func cmdUserUnlock(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(l, "user unlock", stderr)
	dsn := dbFlag(l, fs, "lighten.db")
	login := fs.String("login", "", i18n.T(l, "cli.user.flag.login"))
	if err := parseFlags(l, fs, args); err != nil {
		return err
	}
	if *login == "" {
		return failf("cli.user.unlock_usage")
	}
	db, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	p, _, err := db.PersonByLogin(ctx, *login)
	if err != nil {
		return failf("cli.user.no_login", *login)
	}
	var n int64
	err = db.Write(ctx, store.System, func(tx *store.Tx) error {
		n, err = tx.ClearSignInLock(ctx, p)
		return err
	})
	if err != nil {
		return err
	}
	say(stdout, l, "cli.user.unlocked", p.Login, n)
	return nil
}

func cmdAudit(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return failf("cli.audit.usage")
	}
	fs := newFlags(l, "audit verify", stderr)
	dsn := dbFlag(l, fs, "lighten.db")
	if err := parseFlags(l, fs, args[1:]); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn, store.Options{NoMigrate: true})
	if err != nil {
		return err
	}
	defer db.Close()
	return verifyChain(ctx, l, db, stdout)
}

// verifyChain checks the audit chain from its first record and says how it
// stands: intact with its count, or broken at the record named.
func verifyChain(ctx context.Context, l i18n.Lang, db *store.DB, stdout io.Writer) error {
	n, err := db.VerifyAudit(ctx)
	var br *audit.Break
	if errors.As(err, &br) {
		say(stdout, l, "cli.audit.broken", br.Seq, br.Reason, n)
		return failf("cli.audit.broken_error", br.Seq)
	}
	if err != nil {
		return err
	}
	say(stdout, l, "cli.audit.intact", n)
	return nil
}

var _ = flag.ErrHelp
