def test_town_officer_sees_only_their_town_in_the_enterprise_list(client_for):
    response = client_for("hitech_cmd").get("/enterprises/?page=1")
    assert response.status_code == 200
    towns = {e.town.name for e in response.context["page"].paginator.object_list}
    assert towns == {"高新区"}
