"""Linking this installation up to the city's, as an administrator does
(`manage.py chain_link up`), for the chain tests."""

import os

from django.core.management import call_command

CITY_TOKEN = "tok-the-city-calls-us-with"


def link_up(**extra):
    """The link to 临江市人民政府总值班室 (every category unless `categories` is given);
    the city calls us with CITY_TOKEN unless `issue` names another."""
    call_command(
        "chain_link",
        "up",
        name="临江市人民政府总值班室",
        url="http://city.invalid",
        credential="cred-up",
        **{"issue": CITY_TOKEN, **extra},
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
