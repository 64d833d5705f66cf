"""Lists that remember their filters: an editor who comes back to a list (from the sidebar, the
dashboard, a bookmark of its bare address) finds it filtered as they last left it, until they
clear the filters. Remembered per editor and per list, in the session; the search, the sort and
the page are not remembered (Django's own preserved filters carry them to an object's page and
back)."""

from django.contrib import messages
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.admin.views.main import ERROR_FLAG, IGNORED_PARAMS, PAGE_VAR, ChangeList
from django.http import HttpResponseRedirect, QueryDict

# A link that shows a list without filters carries this parameter: the list forgets its
# filters and answers with its bare address (which, bare, would bring them back).
CLEAR_FILTERS = "_clear_filters"
NOT_FILTERS = frozenset({*IGNORED_PARAMS, PAGE_VAR, ERROR_FLAG})


def session_key(opts) -> str:
    return f"changelist-filters:{opts.label_lower}"


def filters_of(query: QueryDict) -> str:
    """The filters in a changelist's query string (every parameter but the search, the sort,
    the page and the admin's own), URL-encoded; "" for none."""
    filters = QueryDict(mutable=True)
    for name, values in query.lists():
        if name not in NOT_FILTERS:
            filters.setlist(name, values)
    return filters.urlencode()


class FilterRememberingChangeList(ChangeList):
    """A changelist whose links to itself never have an empty query string: an empty one is a
    visit to the bare list, which brings the remembered filters back, so a link that would
    leave no filters (a filter's "All", "Clear all filters") forgets them instead."""

    def get_query_string(self, new_params=None, remove=None):
        query = super().get_query_string(new_params, remove)
        return query if query != "?" else f"?{CLEAR_FILTERS}=1"


class RememberFiltersMixin:
    """For a ModelAdmin with filters: its list remembers the editor's last filters."""

    def get_changelist(self, request, **kwargs):
        return FilterRememberingChangeList

    def changelist_view(self, request, extra_context=None):
        query = request.GET
        if request.method != "GET" or IS_POPUP_VAR in query or TO_FIELD_VAR in query:
            return super().changelist_view(request, extra_context)
        key = session_key(self.opts)
        if CLEAR_FILTERS in query:
            request.session.pop(key, None)
            rest = query.copy()
            del rest[CLEAR_FILTERS]
            return HttpResponseRedirect(f"{request.path}?{rest.urlencode()}".rstrip("?"))
        remembered = request.session.get(key)
        if not query and remembered:
            messages.info(
                request,
                "The list is filtered as you last left it: “Clear all filters” shows it whole.",
            )
            return HttpResponseRedirect(f"{request.path}?{remembered}")
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            filters = filters_of(query)
            if filters and filters != remembered:
                request.session[key] = filters
            elif not filters and remembered:
                del request.session[key]
        return response
