# Shared training and exchange-visit records (issue 4).

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('reserves', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ExchangeVisit',
            fields=[
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('sensitivity', models.CharField(choices=[('public', 'Public'), ('partners', 'Partners (every partner agency)'), ('restricted', 'Restricted (listed agencies)'), ('owner', 'Owner only')], db_index=True, default='partners', max_length=16, verbose_name='sensitivity')),
                ('revision', models.PositiveIntegerField(default=1, editable=False, verbose_name='revision')),
                ('title', models.CharField(max_length=255, verbose_name='title')),
                ('title_zh_hans', models.CharField(max_length=255, null=True, verbose_name='title')),
                ('title_en', models.CharField(max_length=255, null=True, verbose_name='title')),
                ('title_ru', models.CharField(max_length=255, null=True, verbose_name='title')),
                ('topic', models.CharField(choices=[('antipoaching', 'Anti-poaching'), ('monitoring', 'Monitoring'), ('management', 'Protected-area management'), ('research', 'Research'), ('education', 'Education and outreach'), ('fire', 'Fire control'), ('other', 'Other')], db_index=True, max_length=32, verbose_name='topic')),
                ('start_date', models.DateField(verbose_name='start date')),
                ('end_date', models.DateField(verbose_name='end date')),
                ('purpose', models.TextField(verbose_name='purpose')),
                ('purpose_zh_hans', models.TextField(null=True, verbose_name='purpose')),
                ('purpose_en', models.TextField(null=True, verbose_name='purpose')),
                ('purpose_ru', models.TextField(null=True, verbose_name='purpose')),
                ('programme', models.TextField(blank=True, verbose_name='programme')),
                ('programme_zh_hans', models.TextField(blank=True, null=True, verbose_name='programme')),
                ('programme_en', models.TextField(blank=True, null=True, verbose_name='programme')),
                ('programme_ru', models.TextField(blank=True, null=True, verbose_name='programme')),
                ('report', models.TextField(blank=True, verbose_name='report')),
                ('report_zh_hans', models.TextField(blank=True, null=True, verbose_name='report')),
                ('report_en', models.TextField(blank=True, null=True, verbose_name='report')),
                ('report_ru', models.TextField(blank=True, null=True, verbose_name='report')),
                ('lessons_learned', models.TextField(blank=True, verbose_name='lessons learned')),
                ('lessons_learned_zh_hans', models.TextField(blank=True, null=True, verbose_name='lessons learned')),
                ('lessons_learned_en', models.TextField(blank=True, null=True, verbose_name='lessons learned')),
                ('lessons_learned_ru', models.TextField(blank=True, null=True, verbose_name='lessons learned')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('delegation_agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.agency', verbose_name='delegation agency')),
                ('host_agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.agency', verbose_name='host agency')),
                ('owner_agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.agency', verbose_name='owning agency')),
                ('protected_areas', models.ManyToManyField(blank=True, related_name='+', to='reserves.protectedarea', verbose_name='protected areas visited')),
                ('shared_with', models.ManyToManyField(blank=True, help_text='For restricted records: the agencies that may see it.', related_name='+', to='core.agency', verbose_name='shared with')),
            ],
            options={
                'verbose_name': 'exchange visit',
                'verbose_name_plural': 'exchange visits',
                'ordering': ['-start_date', '-created_at'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='ExchangeVisitMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('position', models.CharField(blank=True, max_length=200, verbose_name='position')),
                ('is_leader', models.BooleanField(default=False, verbose_name='head of delegation')),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.agency', verbose_name='agency')),
                ('visit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to='core.exchangevisit', verbose_name='visit')),
            ],
            options={
                'verbose_name': 'delegation member',
                'verbose_name_plural': 'delegation members',
                'ordering': ['visit', '-is_leader', 'name'],
            },
        ),
        migrations.CreateModel(
            name='TrainingCourse',
            fields=[
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('sensitivity', models.CharField(choices=[('public', 'Public'), ('partners', 'Partners (every partner agency)'), ('restricted', 'Restricted (listed agencies)'), ('owner', 'Owner only')], db_index=True, default='partners', max_length=16, verbose_name='sensitivity')),
                ('revision', models.PositiveIntegerField(default=1, editable=False, verbose_name='revision')),
                ('title', models.CharField(max_length=255, verbose_name='title')),
                ('title_zh_hans', models.CharField(max_length=255, null=True, verbose_name='title')),
                ('title_en', models.CharField(max_length=255, null=True, verbose_name='title')),
                ('title_ru', models.CharField(max_length=255, null=True, verbose_name='title')),
                ('topic', models.CharField(choices=[('smart', 'SMART patrol software'), ('evidence', 'Evidence handling and crime-scene work'), ('first_aid', 'First aid'), ('camera_trapping', 'Camera trapping'), ('law_enforcement', 'Law enforcement and legal procedure'), ('species_id', 'Species and sign identification'), ('navigation', 'GPS and navigation'), ('fire', 'Fire prevention and control'), ('data', 'Data management and exchange'), ('language', 'Language and communication'), ('other', 'Other')], db_index=True, max_length=32, verbose_name='topic')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('description_zh_hans', models.TextField(blank=True, null=True, verbose_name='description')),
                ('description_en', models.TextField(blank=True, null=True, verbose_name='description')),
                ('description_ru', models.TextField(blank=True, null=True, verbose_name='description')),
                ('trainers', models.CharField(blank=True, max_length=500, verbose_name='trainers')),
                ('place', models.CharField(blank=True, max_length=255, verbose_name='place')),
                ('place_zh_hans', models.CharField(blank=True, max_length=255, null=True, verbose_name='place')),
                ('place_en', models.CharField(blank=True, max_length=255, null=True, verbose_name='place')),
                ('place_ru', models.CharField(blank=True, max_length=255, null=True, verbose_name='place')),
                ('start_date', models.DateField(verbose_name='start date')),
                ('end_date', models.DateField(verbose_name='end date')),
                ('hours', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='hours of instruction')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('owner_agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.agency', verbose_name='owning agency')),
                ('shared_with', models.ManyToManyField(blank=True, help_text='For restricted records: the agencies that may see it.', related_name='+', to='core.agency', verbose_name='shared with')),
            ],
            options={
                'verbose_name': 'training course',
                'verbose_name_plural': 'training courses',
                'ordering': ['-start_date', '-created_at'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='TrainingParticipant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('position', models.CharField(blank=True, max_length=200, verbose_name='position')),
                ('completed', models.BooleanField(default=True, verbose_name='completed the course')),
                ('certificate_number', models.CharField(blank=True, max_length=64, verbose_name='certificate number')),
                ('certificate_issued', models.DateField(blank=True, null=True, verbose_name='certificate issued')),
                ('certificate_file', models.FileField(blank=True, upload_to='training/certificates/', verbose_name='certificate file')),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.agency', verbose_name='agency')),
                ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participants', to='core.trainingcourse', verbose_name='course')),
            ],
            options={
                'verbose_name': 'training participant',
                'verbose_name_plural': 'training participants',
                'ordering': ['course', 'agency__code', 'name'],
                'constraints': [models.UniqueConstraint(fields=('course', 'agency', 'name'), name='training_participant_once')],
            },
        ),
    ]
