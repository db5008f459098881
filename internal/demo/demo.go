// Package demo fills a database with one real county from the national tree,
// its offices and people for every role, and a year of the demands its
// offices sent down, so that every capability of lighten can be seen
// working without any setup.
package demo

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"lighten/internal/auth"
	"lighten/internal/store"
	"lighten/internal/units"
)

// The county is 湖南省益阳市桃江县 (Taojiang County), whose townships and
// villages come from the national statistical tree (2023).
const County = "430922"

//go:embed data
var data embed.FS

// Password is every demo person's password; the demo prints it.
const Password = "lighten-demo"

// Account is one demo sign-in.
type Account struct {
	Login, Name string
	Role        units.Role
	Where       string // unit code of the grant ("" is the country)
	Unit        string // the unit the person belongs to
	Office      string // the office's name, if the person works in one
}

// Offices are the county's departments, and one per township.
var offices = []units.Office{
	{UnitCode: County, Name: "桃江县减轻基层负担工作办公室", NameEN: "Taojiang County Burden-Reduction Office", Burden: true},
	{UnitCode: County, Name: "桃江县民政局", NameEN: "Taojiang County Civil Affairs Bureau"},
	{UnitCode: County, Name: "桃江县农业农村局", NameEN: "Taojiang County Agriculture and Rural Affairs Bureau"},
	{UnitCode: County, Name: "桃江县卫生健康局", NameEN: "Taojiang County Health Commission"},
	{UnitCode: County, Name: "桃江县教育局", NameEN: "Taojiang County Education Bureau"},
	{UnitCode: County, Name: "桃江县统计局", NameEN: "Taojiang County Statistics Bureau"},
	{UnitCode: County, Name: "桃江县应急管理局", NameEN: "Taojiang County Emergency Management Bureau"},
	{UnitCode: County, Name: "桃江县自然资源局", NameEN: "Taojiang County Natural Resources Bureau"},
	{UnitCode: "4309", Name: "益阳市统计局", NameEN: "Yiyang Municipal Statistics Bureau"},
	{UnitCode: County, Name: "桃江县市场监督管理局", NameEN: "Taojiang County Administration for Market Regulation"},
	{UnitCode: County, Name: "中共桃江县委政策研究室", NameEN: "Policy Research Office of the Taojiang County Party Committee"},
}

// Accounts lists the demo sign-ins, one or more for every role. Township
// and village accounts are filled in from the tree by Seed.
func Accounts(t *units.Tree) []Account {
	town, village := firstTownshipAndVillage(t)
	return []Account{
		{Login: "admin", Name: "系统管理员", Role: units.RoleAdmin, Where: "", Unit: County},
		{Login: "jianfu", Name: "减负办 刘敏", Role: units.RoleBurden, Where: County, Unit: County, Office: offices[0].Name},
		{Login: "minzheng", Name: "民政局 王强", Role: units.RoleIssuer, Where: County, Unit: County, Office: offices[1].Name},
		{Login: "nongye", Name: "农业农村局 陈静", Role: units.RoleIssuer, Where: County, Unit: County, Office: offices[2].Name},
		{Login: "weijian", Name: "卫健局 赵磊", Role: units.RoleIssuer, Where: County, Unit: County, Office: offices[3].Name},
		{Login: "jiaoyu", Name: "教育局 黄志刚", Role: units.RoleIssuer, Where: County, Unit: County, Office: offices[4].Name},
		{Login: "tongji", Name: "统计局 彭丽", Role: units.RoleIssuer, Where: County, Unit: County, Office: offices[5].Name},
		{Login: "yingji", Name: "应急管理局 曾军", Role: units.RoleIssuer, Where: County, Unit: County, Office: offices[6].Name},
		{Login: "ziran", Name: "自然资源局 龚涛", Role: units.RoleIssuer, Where: County, Unit: County, Office: offices[7].Name},
		{Login: "shitongji", Name: "市统计局 罗婷", Role: units.RoleIssuer, Where: "4309", Unit: "4309", Office: offices[8].Name},
		{Login: "shijian", Name: "市场监管局 邓斌", Role: units.RoleIssuer, Where: County, Unit: County, Office: offices[9].Name},
		{Login: "zhengyan", Name: "县委政研室 胡敏", Role: units.RoleIssuer, Where: County, Unit: County, Office: offices[10].Name},
		{Login: "zhen", Name: town.Name + " 李华", Role: units.RoleCadre, Where: town.Code, Unit: town.Code},
		{Login: "cun", Name: village.Name + " 周红", Role: units.RoleCadre, Where: village.Code, Unit: village.Code},
		{Login: "jiancha", Name: "督查组 孙伟", Role: units.RoleInspector, Where: County, Unit: County},
		{Login: "shenji", Name: "审计 吴芳", Role: units.RoleAuditor, Where: County, Unit: County},
	}
}

func firstTownshipAndVillage(t *units.Tree) (units.Unit, units.Unit) {
	towns, _ := t.Children(County, 0, 1)
	if len(towns) == 0 {
		return units.Unit{Code: County}, units.Unit{Code: County}
	}
	villages, _ := t.Children(towns[0].Code, 0, 1)
	if len(villages) == 0 {
		return towns[0], towns[0]
	}
	return towns[0], villages[0]
}

// Units reads the embedded county.
func Units() ([]units.Unit, error) {
	sub, err := fs.Sub(data, "data")
	if err != nil {
		return nil, err
	}
	return units.ReadFS(sub)
}

// Seeded reports whether the database already holds the demo.
func Seeded(ctx context.Context, db *store.DB) (bool, error) {
	n, err := db.CountPeople(ctx)
	return n > 0, err
}

// Seed loads the county, its offices and the demo people, then plays a
// year of demands up to now. It does nothing to a database that already
// has people in it.
//
// The year is played on a second handle of the same SQLite file whose
// clock the seed moves: the gate refuses dates before "now" and measures
// lead time from it, so history has to be written at the time it happened.
func Seed(ctx context.Context, db *store.DB) error {
	if done, err := Seeded(ctx, db); err != nil || done {
		return err
	}
	if db.Dialect != store.SQLite {
		return errors.New("the demo is played on an SQLite file")
	}
	now := db.Now()
	clk := &Clock{}
	clk.Set(yearBefore(now))
	hist, err := store.Open(ctx, db.URL, store.Options{Now: clk.Now})
	if err != nil {
		return err
	}
	defer hist.Close()
	if err := seedCounty(ctx, hist); err != nil {
		return err
	}
	return SeedDemands(ctx, hist, clk, now)
}

// seedCounty loads the county, its offices and the demo people.
func seedCounty(ctx context.Context, db *store.DB) error {
	us, err := Units()
	if err != nil {
		return fmt.Errorf("demo county: %w", err)
	}
	if _, err := db.ImportUnits(ctx, store.System, us, nil); err != nil {
		return fmt.Errorf("demo county: %w", err)
	}
	t, err := db.Tree(ctx)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return err
	}
	return db.Write(ctx, store.System, func(tx *store.Tx) error {
		ids := map[string]int64{}
		for _, o := range offices {
			o := o
			if err := tx.CreateOffice(ctx, &o); err != nil {
				return err
			}
			ids[o.Name] = o.ID
		}
		towns, _ := t.Children(County, 0, -1)
		for _, town := range towns {
			o := units.Office{UnitCode: town.Code, Name: town.Name + "党政综合办公室", NameEN: "General Office of " + town.Name}
			if err := tx.CreateOffice(ctx, &o); err != nil {
				return err
			}
		}
		for _, a := range Accounts(t) {
			_, err := tx.CreatePerson(ctx, store.NewPerson{Login: a.Login, Name: a.Name, UnitCode: a.Unit, OfficeID: ids[a.Office],
				PasswordHash: hash, Grants: []units.Grant{{Role: a.Role, UnitCode: a.Where}}})
			if err != nil {
				return err
			}
		}
		// Every village has a cadre who fills in its reports; only the demo
		// village's (cun) signs in, the others exist to be the ones who
		// answered.
		_, demoVillage := firstTownshipAndVillage(t)
		for i, v := range t.Under(units.Village, County) {
			if v.Code == demoVillage.Code {
				continue
			}
			_, err := tx.CreatePerson(ctx, store.NewPerson{Login: villageLogin(v.Code, demoVillage.Code), Name: v.Name + " " + cadreName(i),
				UnitCode: v.Code, Grants: []units.Grant{{Role: units.RoleCadre, UnitCode: v.Code}}})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// villageLogin is the sign-in of a village's cadre: cun for the demo
// village, cun-CODE for the others.
func villageLogin(code, demo string) string {
	if code == demo {
		return "cun"
	}
	return "cun-" + code
}

var (
	surnames = []rune("刘李王张陈周曾龚彭胡罗谢贺符莫汤蔡夏卜熊")
	given    = []string{"建国", "春华", "志强", "桂香", "德明", "秋菊", "国平", "海军", "小燕", "卫东", "玉梅", "红兵", "立新", "满秀", "长青", "冬生", "金花"}
)

// cadreName is a village cadre's name, the same every time.
func cadreName(i int) string {
	return string(surnames[i*7%len(surnames)]) + given[i*11%len(given)]
}
