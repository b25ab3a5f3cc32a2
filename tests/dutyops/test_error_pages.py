"""Chinese error pages in production (DEBUG off) and refusals that say why (issue 17, item 9)."""

import pytest
from django.test import Client

from tests.conftest import BROWSER_PASSWORD, log_in


def client_for(person):
    client = Client()
    client.force_login(person)
    return client


@pytest.mark.django_db
def test_403_404_pages_are_chinese_and_say_why(make_person, settings):
    settings.DEBUG = False
    liaison = make_person("liaison")
    response = client_for(liaison).get("/alerts/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "没有权限访问此页面" in html and "部门工作台" in html  # why, and where to go instead
    assert "Forbidden" not in html and '<html lang="zh-hans"' in html
    response = client_for(liaison).get("/incidents/999999/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and "Not Found" not in response.content.decode()
    # The API keeps its JSON bodies.
    assert client_for(liaison).get("/api/v1/no-such/").json()["detail"]


@pytest.mark.django_db
def test_500_page_is_chinese_and_standalone(settings):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "系统内部错误" in html and "http" not in html.replace('href="/', "")


@pytest.mark.django_db
def test_a_refused_page_redirects_with_the_reason(make_person):
    liaison = make_person("liaison")
    response = client_for(liaison).get("/board/leader/", follow=True)
    assert "领导视图" in response.content.decode() and "仅对" in response.content.decode()
    response = Client().get("/console/", follow=True)
    assert "该页面需要登录" in response.content.decode()


@pytest.mark.browser
def test_the_403_page_in_chromium_on_a_production_server(servers, new_page, make_person):
    make_person("liaison", username="liaison-x", password=BROWSER_PASSWORD)
    server = servers.daphne()  # DJANGO_DEBUG=0, as in production
    page = new_page()
    log_in(page, server, "liaison-x", "/alerts/console/")
    response = page.goto(server.url + "/alerts/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "没有权限访问此页面"
    assert "403 Forbidden" not in page.content()
    page.locator("a", has_text="返回我的工作台").click()
    page.wait_for_url("**/alerts/console/")
