"""Mentoring by consent: an assignment is a proposal until the peer and the mentor agree.

Assignments that exist already were made before consent was asked; they stay current (accepted),
with both agreements dated to their creation, so that nothing changes for the people in them.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def existing_rows_are_accepted(apps, schema_editor):
    MentorAssignment = apps.get_model("mentoring", "MentorAssignment")
    MentorAssignment.objects.update(
        state="accepted", peer_accepted_at=models.F("created_at"), mentor_accepted_at=models.F("created_at")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_invitation_link_nonce'),
        ('mentoring', '0002_irritation_log'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='MentorRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(blank=True, max_length=2000, verbose_name='my reason (only you can read it)')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name': 'request for a mentor',
                'verbose_name_plural': 'requests for a mentor',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='mentorassignment',
            name='mentor_one_active_per_peer',
        ),
        migrations.AddField(
            model_name='mentorassignment',
            name='closed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='mentorassignment',
            name='mentor_accepted_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='mentorassignment',
            name='peer_accepted_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='mentorassignment',
            name='state',
            field=models.CharField(choices=[('proposed', 'proposed'), ('accepted', 'agreed'), ('declined', 'not agreed')], default='accepted', max_length=20, verbose_name='state'),
        ),
        migrations.RunPython(existing_rows_are_accepted, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='mentorassignment',
            name='state',
            field=models.CharField(choices=[('proposed', 'proposed'), ('accepted', 'agreed'), ('declined', 'not agreed')], default='proposed', max_length=20, verbose_name='state'),
        ),
        migrations.AddConstraint(
            model_name='mentorassignment',
            constraint=models.UniqueConstraint(condition=models.Q(('ended_on__isnull', True), ('state', 'accepted')), fields=('peer',), name='mentor_one_active_per_peer'),
        ),
        migrations.AddConstraint(
            model_name='mentorassignment',
            constraint=models.UniqueConstraint(condition=models.Q(('state', 'proposed')), fields=('peer',), name='mentor_one_proposal_per_peer'),
        ),
        migrations.AddField(
            model_name='mentorrequest',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='mentor_requests', to='accounts.organisation'),
        ),
        migrations.AddField(
            model_name='mentorrequest',
            name='peer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='mentor_requests', to='accounts.membership', verbose_name='peer'),
        ),
        migrations.AddConstraint(
            model_name='mentorrequest',
            constraint=models.UniqueConstraint(condition=models.Q(('closed_at__isnull', True)), fields=('peer',), name='mentor_one_open_request_per_peer'),
        ),
    ]
