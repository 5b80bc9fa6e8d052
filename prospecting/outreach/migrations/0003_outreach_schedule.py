from django.db import migrations


def statuses_and_schedule(apps, schema_editor):
    CampaignSend = apps.get_model("outreach", "CampaignSend")
    # Statuses of the first, bare model: delivery events are now times on a sent message.
    CampaignSend.objects.filter(status="bounced").update(status="sent", bounce_type="hard")
    CampaignSend.objects.filter(status__in=["opened", "clicked"]).update(status="sent")
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name="outreach-tick",
        defaults={
            "func": "prospecting.outreach.tasks.outreach_tick_task",
            "schedule_type": "I",
            "minutes": 5,
            "repeats": -1,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="outreach-tick").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
        ("outreach", "0002_templates_sending_sequences"),
    ]

    operations = [migrations.RunPython(statuses_and_schedule, remove_schedule)]
