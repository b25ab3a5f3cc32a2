"""The organisation: duty office, departments and lower-level duty rooms, people and their roles."""

from django.contrib.auth.models import AbstractUser, Group
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    DUTY_OFFICER = "duty_officer", _("值班员")
    DUTY_LEADER = "duty_leader", _("带班领导")
    LEADER = "leader", _("领导")
    LIAISON = "liaison", _("部门联络员")
    # A wall screen's account (kiosk token): sees everything, may change nothing.
    BOARD = "board", _("指挥大屏（只读）")


class Department(models.Model):
    class Kind(models.TextChoices):
        DUTY_OFFICE = "duty_office", _("总值班室")
        DEPARTMENT = "department", _("部门")
        DISTRICT = "district", _("县区")
        TOWNSHIP = "township", _("镇街")

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.DEPARTMENT)
    phone = models.CharField(_("值班电话"), max_length=32, blank=True)
    latitude = models.FloatField(
        _("纬度"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("经度"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self):
        return self.name

    def ancestors(self):
        """Parents up to the root, nearest first (the escalation path)."""
        node, seen = self.parent, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            yield node
            node = node.parent


class Person(AbstractUser):
    """A user of DutyOps. Roles are Django groups named by Role codes."""

    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    phone = models.CharField(_("电话"), max_length=32, blank=True)
    # Raised whenever the person's credentials are revoked (deactivation, a new
    # password, other roles or department, a kiosk token rotated: dutyops.credentials).
    # Sessions carry it in their hash, open sockets compare it: a raise ends both.
    auth_version = models.PositiveIntegerField(_("凭据版本"), default=0, editable=False)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username

    def _get_session_auth_hash(self, secret=None):
        """Django's hash of the password, with the auth version mixed in: raising it
        ends every session of the person, as a new password does. Version 0 gives
        Django's own hash, so the sessions of an upgraded installation stay valid."""
        value = self.password if not self.auth_version else f"{self.password}:{self.auth_version}"
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def roles(self):
        if not hasattr(self, "_roles"):
            self._roles = frozenset(g.name for g in self.groups.all())  # uses a prefetch if there is one
        return self._roles

    def set_roles(self, roles):
        with transaction.atomic():  # one change: revoked once (dutyops.credentials)
            self.groups.set([Group.objects.get_or_create(name=r)[0] for r in roles])
        self._roles = frozenset(roles)

    def has_role(self, *roles):
        return bool(self.roles.intersection(roles))
