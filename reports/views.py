"""The report page and its downloads: access → period form → selectors → page, CSV or PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from tandem.web import render_form

from . import access, charts, csv, pdf, selectors
from .forms import PeriodForm
from .period import Period


def _period(request: HttpRequest) -> tuple[PeriodForm, Period | None]:
    """The chosen period, or this year when none was chosen; None when the choice is invalid."""
    if "kind" not in request.GET:
        return PeriodForm(), Period.year(timezone.localdate().year)
    form = PeriodForm(request.GET)
    return form, (form.period() if form.is_valid() else None)


def _context(request: HttpRequest, report: selectors.Report) -> dict[str, object]:
    return {
        "report": report,
        "drawings": [charts.draw(chart) for chart in report.charts],
        "rule": selectors.SUPPRESSION_RULE % {"n": report.threshold},
        "audience": access.audience_text(),
        "query": request.GET.urlencode(),
        "generated_on": timezone.localdate(),
    }


@require_safe
@login_required
def report(request: HttpRequest) -> HttpResponse:
    reader = access.report_reader(request)
    form, period = _period(request)
    context: dict[str, object] = {"form": form}
    if period is not None:
        context.update(_context(request, selectors.year_report(reader.organisation, period)))
    return render_form(request, "reports/report.html", context, form if form.is_bound else None)


@require_safe
@login_required
def report_csv(request: HttpRequest) -> HttpResponse:
    reader = access.report_reader(request)
    _form, period = _period(request)
    if period is None:
        return report(request)
    data = selectors.year_report(reader.organisation, period)
    response = HttpResponse(csv.render(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tandem-report-{period.slug}.csv"'
    return response


@require_safe
@login_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    reader = access.report_reader(request)
    _form, period = _period(request)
    if period is None:
        return report(request)
    data = selectors.year_report(reader.organisation, period)
    html = render_to_string("reports/report_pdf.html", _context(request, data), request=request)
    response = HttpResponse(pdf.render(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tandem-report-{period.slug}.pdf"'
    return response
