from django.db import migrations

# Fill the prospects' copies of their score and lead tier (prospects 0009) from the scores table; from now on
# the scoring service writes both together.
# UPDATE ... FROM: PostgreSQL, and SQLite since 3.33 (one pass over the scores, not a subquery per prospect).
COPY = """
UPDATE prospects_prospect SET lead_score = s.score, lead_tier = s.lead_tier
FROM scoring_prospectscore AS s WHERE s.prospect_id = prospects_prospect.id
"""
CLEAR = "UPDATE prospects_prospect SET lead_score = NULL, lead_tier = ''"


class Migration(migrations.Migration):
    dependencies = [
        ("prospects", "0009_lead_score_and_tier_copy"),
        ("scoring", "0004_list_order_indexes"),
    ]

    operations = [migrations.RunSQL(COPY, CLEAR)]
