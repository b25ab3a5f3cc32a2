from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Department, Person, Role


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "parent", "kind", "phone", "latitude", "longitude"]

    def validate_parent(self, parent):
        own = self.instance
        if (
            parent is not None
            and own is not None
            and (parent.pk == own.pk or own.pk in {a.pk for a in parent.ancestors()})
        ):
            raise serializers.ValidationError(_("上级单位不能是本单位或其下级单位。"))
        return parent


class PersonSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), required=False)

    class Meta:
        model = Person
        fields = ["id", "username", "password", "full_name", "department", "roles", "phone", "is_active"]
        read_only_fields = ["is_active"]

    def to_representation(self, person):
        data = super().to_representation(person)
        data["roles"] = sorted(person.roles)
        return data

    def validate_password(self, value):
        validate_password(value)
        return value

    def validate(self, attrs):
        roles = attrs.get("roles", self.instance.roles if self.instance else [])
        department = attrs.get("department", self.instance.department if self.instance else None)
        if Role.LIAISON in roles and department is None:
            raise serializers.ValidationError({"department": [_("部门联络员必须指定所属单位。")]})
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": [_("新建人员必须设置密码。")]})
        return attrs
