// Reply shapes quoted in PROTOCOLS §1–§2 (pasted as written; where the spec only describes a shape, it says so).

/** §1.2 successful group operation, ISPmanager `user.suspend`, out=sjson [C: S5]. */
export const GROUP_OK_SJSON = `{"doc":{"$lang":"en","$func":"user.suspend","$binary":"/ispmgr","ok":{},"saved_filters":{},
        "tparams":{"elid":{"$":"user0"},"func":{"$":"user.suspend"},"out":{"$":"sjson"}}}}`;

/** §1.2 list, ISPmanager `webdomain`, out=sjson (the spec's own `"...":"..."` elision kept) [C: S5]. */
export const WEBDOMAIN_LIST_SJSON = `{"doc":{"elem":[{"active":{"$":"on"},"id":{"$":"1"},"name":{"$":"testsite.ru"},"owner":{"$":"user0"},
   "ipaddr":{"$":"192.168.0.1"},"database":{"$orig":"db_not_assigned","$":"Notused"},"ssl_issued_success":{}}],
  "metadata":{"$name":"webdomain","$type":"list","$key":"name","$mgr":"ispmgr", "...":"..."},
  "p_cnt":{"$":"1000"},"p_elems":{"$":"5"},"p_num":{"$":"1"},"p_order":{"$":"asc"},"p_sort":{"$":"name"},
  "tparams":{"func":{"$":"webdomain"},"out":{"$":"sjson"}}}}`;

/** §1.3 real ISPmanager 6 auth failure [C: S5]. */
export const AUTH_ERROR_JSON = `{"doc":{"error":{"$type":"auth","$object":"badpassword","$lang":"en",
  "detail":{"$":"Invalid username or password "},
  "msg":{"$":"Invalid username or password "},
  "param":[{"$name":"object","$type":"msg","$":"badpassword"},
           {"$name":"value","$":"remote_addr: [85.140.114.49]"}]}}}`;

/** §1.3 XML error shape of ISPsystem's module helper (placeholders filled in) [C: S8]. */
export const ERROR_XML = `<doc><error type="exists" object="user">
  <param name="object" type="msg" msg="user">user</param>
  <param name="value">u1</param>
  <param name="desc" type="msg">desck_empty</param>
  <msg>Human readable text</msg>      <!-- added by the panel when localised -->
</error></doc>`;

/** §1.2 XML envelope of a list (the spec's `...` placeholders removed) [C: S1, S7, S8]. */
export const LIST_XML = `<?xml version="1.0" encoding="UTF-8"?>
<doc lang="en" func="user" binary="/ispmgr">
  <elem><id>1</id><name>user0</name><level>16</level></elem>   <!-- list functions: repeated <elem> -->
</doc>`;

/** §1.1 session reply in the simulator's combined shape [C: S1, S2, S6, S20]. */
export const AUTH_BOTH = `{"doc":{"auth":{"$id":"ID","$level":"16","$":"ID"}}}`;
/** §1.1 `out=json`: the session id is the text [C: S6]. */
export const AUTH_JSON = `{"doc":{"auth":{"$":"4f1a9c"}}}`;
/** §1.1 `out=sjson`: the session id is the `id` attribute [C: S20]. */
export const AUTH_SJSON = `{"doc":{"auth":{"$id":"4f1a9c"}}}`;

/** §1.2 create via form: `<doc><id>42</id>…</doc>` [C: S7], mapped to JSON by the §1.2 rules. */
export const CREATED_ID_XML = `<doc><id>42</id></doc>`;

/** §1.2 / §2.2 nested result of `service.prolong` (`/doc/doc/newexpiredate`) [C: S7]; the JSON is derived by the §1.2 rules. */
export const PROLONG_NESTED_JSON = `{"doc":{"doc":{"newexpiredate":{"$":"2027-03-01"}},"tparams":{"func":{"$":"service.prolong"}}}}`;
/** §1.2 nested `doc.doc.ns0` of `domain.ns` [C: S20]; derived JSON. */
export const DOMAIN_NS_NESTED_JSON = `{"doc":{"doc":{"ns0":{"$":"ns1.example.net"},"ns1":{"$":"ns2.example.net"}}}}`;

/** §1.4 form view with an slist (`{"$name":"f","val":[{"$key":"k","$":"label"}]}`, exact shape [I]). */
export const FORM_WITH_SLIST_JSON = `{"doc":{"ostemplate":{"$":"Debian-12"},"notes":{},"poweron":{"$":"on"},
  "slist":[{"$name":"ostemplate","val":[{"$key":"Debian-12","$":"Debian 12"},{"$key":"Ubuntu-24.04","$":"Ubuntu 24.04"}]}],
  "tparams":{"func":{"$":"server.operations"},"elid":{"$":"7"}}}}`;

/** §2.2 `dashboard.info`: `doc.elem[0].balance[0].$` = "123.45 RUB" [C: S20]; derived JSON. */
export const DASHBOARD_SJSON = `{"doc":{"elem":[{"balance":[{"$":"123.45 RUB"}]}]}}`;

/** §2.1 `pricelist.export&out=json` as consumed by a public calculator [C: S19]. */
export const PRICELIST_JSON = `{"doc":{"pricelist":[{
  "id":{"$":"2187"}, "itemtype":{"$":"3"}, "max_multiple_order_count":{"$":"20"},
  "price":{"period":[{"$cost":"10.00"}]},
  "addon":[{"id":{"$":"2191"},"intname":{"$":"ram"},"name_ru":{"$":"RAM"},"addontype":{"$":"2"},"billtype":{"$":"2"},
            "addonmin":{"$":"1"},
            "enumeration":[{}, {"enumerationitem":[{"id":{"$":"81"},"price":{"period":[{"$cost":"1.00"}]}}]}]}],
  "itemtypeparam":[{"id":{"$":"106"},"itemtypeparamvalue":[{"intname":{"$":"Debian-12"}}]}]
}]}}`;

/** §5.1 DCImanager `server` list: flags are empty elements, a free server has no `owner` [C: S7]; derived JSON, `elem` single object as `out=json` may send it ([I]). */
export const SERVER_LIST_SINGLE_JSON = `{"doc":{"elem":{"id":{"$":"12"},"hostname":{"$":"free.ds"},"poweron":{},"disabled":{}}}}`;
