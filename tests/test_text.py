from campaign.text import clean_text, paragraphs


def test_clean_text_removes_tags_and_keeps_plain_characters():
    assert clean_text("<b>Hi</b> & <3 <img src=x onerror=alert(1)>") == "Hi & <3"


def test_clean_text_normalises_line_breaks_and_control_characters():
    assert clean_text("a\r\nb\rc\x00d\x07") == "a\nb\ncd"


def test_paragraphs_escape_everything():
    html = str(paragraphs('<script>x</script>\n\n"quoted"'))
    assert html == "<p>&lt;script&gt;x&lt;/script&gt;</p>\n<p>&#34;quoted&#34;</p>"
