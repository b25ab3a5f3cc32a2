"""Demo organisation for 临江市 (a fictional jurisdiction): idempotent."""

from django.db import transaction

from .models import Department, Person, Role

# seed_demo runs the apps' seeds in this order (dutyops/management/commands/seed_demo.py).
ORDER = 10

DEMO_PASSWORD = "Duty@2026"

# code, name, kind, parent code, phone, lat, lon
DEPARTMENTS = [
    ("LJ-ZBS", "临江市人民政府总值班室", "duty_office", None, "0731-12345000", 28.2282, 112.9388),
    ("LJ-YJJ", "市应急管理局", "department", "LJ-ZBS", "0731-12345110", 28.2120, 112.9810),
    ("LJ-SWJ", "市水利局", "department", "LJ-ZBS", "0731-12345111", 28.1960, 112.9720),
    ("LJ-XFJY", "市消防救援支队", "department", "LJ-ZBS", "0731-12345119", 28.2350, 112.9500),
    ("LJ-WJW", "市卫生健康委员会", "department", "LJ-ZBS", "0731-12345120", 28.2050, 112.9600),
    ("LJ-GAJ", "市公安局", "department", "LJ-ZBS", "0731-12345122", 28.2000, 112.9900),
    ("LJ-JTJ", "市交通运输局", "department", "LJ-ZBS", "0731-12345123", 28.1900, 112.9550),
    ("LJ-ZRZY", "市自然资源和规划局", "department", "LJ-ZBS", "0731-12345124", 28.2180, 112.9300),
    ("LJ-QXJ", "市气象局", "department", "LJ-ZBS", "0731-12345125", 28.2400, 112.9200),
    ("LJ-SCJG", "市市场监督管理局", "department", "LJ-ZBS", "0731-12345126", 28.2100, 112.9450),
    ("LJ-STHJ", "市生态环境局", "department", "LJ-ZBS", "0731-12345127", 28.2250, 112.9700),
    ("LJ-LYJ", "市林业局", "department", "LJ-ZBS", "0731-12345128", 28.2300, 112.9150),
    ("LJ-GXJ", "市工业和信息化局", "department", "LJ-ZBS", "0731-12345129", 28.1980, 112.9350),
    ("LJ-XCB", "市委宣传部", "department", "LJ-ZBS", "0731-12345130", 28.2270, 112.9400),
    ("LJ-FRQ", "芙蓉区值班室", "district", "LJ-ZBS", "0731-12346000", 28.1930, 113.0000),
    ("LJ-YLQ", "岳麓区值班室", "district", "LJ-ZBS", "0731-12347000", 28.2350, 112.8800),
    ("LJ-KFQ", "开福区值班室", "district", "LJ-ZBS", "0731-12348000", 28.2570, 112.9860),
    ("LJ-YLQ-JZ", "岳麓区橘子洲街道", "township", "LJ-YLQ", "0731-12347100", 28.2000, 112.9600),
    ("LJ-FRQ-DT", "芙蓉区东屯渡街道", "township", "LJ-FRQ", "0731-12346100", 28.2100, 113.0300),
]

# username, full name, department code, roles, staff (admin site)
PEOPLE = [
    ("admin", "系统管理员", "LJ-ZBS", [Role.ADMIN], True),
    ("officer1", "张明（值班员）", "LJ-ZBS", [Role.DUTY_OFFICER], False),
    ("officer2", "李华（值班员）", "LJ-ZBS", [Role.DUTY_OFFICER], False),
    ("officer3", "王芳（值班员）", "LJ-ZBS", [Role.DUTY_OFFICER], False),
    ("officer4", "赵强（值班员）", "LJ-ZBS", [Role.DUTY_OFFICER], False),
    ("dleader", "陈志远（带班领导）", "LJ-ZBS", [Role.DUTY_LEADER], False),
    ("dleader2", "刘建国（带班领导）", "LJ-ZBS", [Role.DUTY_LEADER], False),
    ("leader", "周市长（领导）", "LJ-ZBS", [Role.LEADER], False),
    ("liaison_water", "孙涛（水利局联络员）", "LJ-SWJ", [Role.LIAISON], False),
    ("liaison_fire", "吴敏（消防联络员）", "LJ-XFJY", [Role.LIAISON], False),
    ("liaison_health", "郑洁（卫健委联络员）", "LJ-WJW", [Role.LIAISON], False),
    ("liaison_yjj", "冯磊（应急局联络员）", "LJ-YJJ", [Role.LIAISON], False),
    ("wallboard", "值班室指挥大屏", "LJ-ZBS", [Role.BOARD], False),  # read-only kiosk: see kiosk_url()
]


@transaction.atomic
def seed():
    by_code = {}
    for code, name, kind, parent, phone, lat, lon in DEPARTMENTS:
        dept, _ = Department.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "parent": by_code.get(parent),
                "phone": phone,
                "latitude": lat,
                "longitude": lon,
            },
        )
        by_code[code] = dept
    for username, full_name, dept_code, roles, staff in PEOPLE:
        person, created = Person.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "department": by_code[dept_code],
                "is_staff": staff,
                "is_superuser": staff,
            },
        )
        if created:
            person.set_password(DEMO_PASSWORD)
            person.save()
            person.set_roles(roles)


def kiosk_url(base):
    """The wall board's sign-in link, its long-lived token in ?token= (CONTRACT.md,
    kiosk mode), when its token is issued now; None when it already has one (tokens
    are stored hashed and shown once: `manage.py board_token --rotate` makes a new one)."""
    from .models import ApiToken  # noqa: PLC0415

    board = Person.objects.get(username="wallboard")
    if ApiToken.objects.filter(user=board).exists():
        return None
    return f"{base}/board/?token={ApiToken.issue(board)[1]}"


def logins():
    return [(username, DEMO_PASSWORD, full_name) for username, full_name, *_ in PEOPLE]
