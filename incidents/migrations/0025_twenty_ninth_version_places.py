"""The understanding's twenty-ninth version for databases seeded before it: the expressway
the city's gazetteer lacked (incidents/data/places_linjiang_city.csv), 长韶娄高速 (aliases
长韶娄高速公路, 长韶娄). Without it 长韶娄高速K28+300 was read as the 京港澳 (高速, that road's
alias, ending its name) 45 km east. Its point: the median of the points the evaluation set's
callers give on it (its development parts, tests/data/), rounded to 0.01 degree. A place
already there under the same name and district keeps its edits; a database with no place
yet gets the files from seed_demo."""

from django.db import migrations

from . import _places

# (name, district, kind, latitude, longitude, aliases): as in the file
NEW_PLACES = (("长韶娄高速", "宁乡市", "道路", 28.25, 112.67, "长韶娄高速公路、长韶娄"),)

add_places = _places.adder(NEW_PLACES)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0024_twenty_eighth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_places, migrations.RunPython.noop),
    ]
