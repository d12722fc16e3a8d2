"""The inbox shows a user their own messages only, and counts the unread ones in the header."""

from fugong.accounts.models import Notification


def test_inbox_lists_only_the_users_own_messages_and_marks_them_read(client_for, users):
    # Given the reviewer has read everything the demo sent, then gets one message; someone else gets another
    Notification.objects.filter(user=users("jmb_reviewer")).update(read_at="2020-02-01T00:00:00+08:00")
    Notification.objects.create(user=users("jmb_reviewer"), title="待审核：示例企业 复工申请", url="/applications/")
    Notification.objects.create(user=users("hitech_cmd"), title="别人的消息")
    client = client_for("jmb_reviewer")

    # When the reviewer opens any page and the inbox
    home = client.get("/").content.decode()
    inbox = client.get("/accounts/inbox/").content.decode()

    # Then the header counts one unread, the inbox shows theirs and not the other
    assert 'data-testid="unread-count">1<' in home
    assert "待审核：示例企业 复工申请" in inbox
    assert "别人的消息" not in inbox

    # And marking read clears the badge
    assert client.post("/accounts/inbox/read/").status_code == 302
    assert 'data-testid="unread-count"' not in client.get("/").content.decode()
    assert Notification.objects.get(user=users("hitech_cmd"), title="别人的消息").read_at is None
