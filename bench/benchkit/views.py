from django.http import JsonResponse


def ping(request):
    """The smallest useful JSON answer: no database, no session, no template."""
    return JsonResponse({"ok": True})


def portal_baseline(request):
    """The smallest page a signed-in client can open: the same middleware, session, sign-in check,
    portal context and base template as every portal page, with one heading as its content."""
    from django.shortcuts import render

    from portal_core.client_auth import client_required
    from portal_core.portal import portal_context

    @client_required
    def page(request):
        return render(request, "benchkit/baseline.html", portal_context(request))

    return page(request)
