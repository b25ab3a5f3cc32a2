"""make chain-demo, second half: as the district's duty officer, register a report
and send its 首报 up; then watch the city's register until it arrives there."""

import json
import os
import time
import urllib.error
import urllib.request

HOST = os.environ.get("HOST", "127.0.0.1")
CITY = f"http://{HOST}:{os.environ.get('CITY_PORT', '8000')}"
COUNTY = f"http://{HOST}:{os.environ.get('COUNTY_PORT', '8001')}"


def call(base, path, body=None, token=None):
    headers = {"Content-Type": "application/json", **({"Authorization": f"Token {token}"} if token else {})}
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method="POST" if data else "GET")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def token(base):
    for _ in range(600):  # daphne may take a while on a busy machine
        try:
            return call(base, "/api/v1/auth/token/", {"username": "officer1", "password": "Duty@2026"})["token"]
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise SystemExit(f"{base} did not start")


county, city = token(COUNTY), token(CITY)
TITLE = f"东屯渡街道燃气管道泄漏（{time.strftime('%H:%M:%S')}）"
report = call(
    COUNTY,
    "/api/v1/reports/",
    {
        "kind": "first",
        "channel": "phone",
        "title": TITLE,
        "description": "东屯渡街道一处燃气管道被施工挖断，正在泄漏，周边已拉警戒。",
        "category": "accident_disaster",
        "location_text": "东屯渡街道",
        "injuries": 0,
    },
    county,
)
upward = call(
    COUNTY,
    f"/api/v1/incidents/{report['incident']}/upward-reports/",
    {
        "kind": "first",
        "unverified_reason": "险情紧急，先行报告",
        "measures": "燃气公司抢修队已到场，疏散周边群众约200人",
        "support_needed": "请求市燃气主管部门派员指导",
    },
    county,
)
print(
    f"区：首报 #{upward['id']} 已发送："
    + "、".join(f"{r['name']}（{r['delivery_display']}）" for r in upward["recipients"])
)
started = time.monotonic()
while time.monotonic() - started < 60:
    rows = [r for r in call(CITY, "/api/v1/reports/", token=city)["results"] if r["title"] == TITLE]
    if rows:
        r = rows[0]
        print(
            f"市：{time.monotonic() - started:.1f} 秒后登记在册：#{r['id']} {r['title']}（来源：{r['source']}，事件 #{r['incident']}）"
        )
        break
    time.sleep(0.5)
else:
    print("市：60 秒内未收到（见 var/chain-*.log）")
