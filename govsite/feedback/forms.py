"""The public report form: field limits and messages in Chinese."""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator

from govsite.feedback import conf
from govsite.feedback.intake import MARKUP_RE
from govsite.feedback.models import Category


def _no_markup(value: str, label: str) -> str:
    if value and MARKUP_RE.search(value):
        raise forms.ValidationError(f"{label}中不能包含 HTML 标签或脚本代码，请用纯文字描述")
    return value


class ReportForm(forms.Form):
    site_code = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
    site_query = forms.CharField(label="网站", required=False, max_length=200,
                                 widget=forms.TextInput(attrs={"placeholder": "网站名称、域名或网站标识码"}))
    page_url = forms.CharField(label="问题页面网址", max_length=1000,
                               widget=forms.URLInput(attrs={"placeholder": "https://www.example.gov.cn/…"}),
                               error_messages={"required": "请填写问题页面网址",
                                               "max_length": "网址过长（最多 %(limit_value)d 个字符）"})
    category = forms.TypedChoiceField(label="问题类型", coerce=int, choices=[("", "请选择")] + list(Category.choices),
                                      error_messages={"required": "请选择问题类型",
                                                      "invalid_choice": "问题类型无效，请从列表中选择"})
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 6}),
                                  error_messages={"required": "请填写问题描述"})
    contact = forms.CharField(label="联系方式（选填）", required=False,
                              widget=forms.TextInput(attrs={"placeholder": "手机或电子邮箱，仅供核实问题使用"}))
    screenshot = forms.FileField(label="截图（选填）", required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    captcha_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    captcha_answer = forms.CharField(label="验证码", required=False, max_length=8,
                                     widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))

    def clean_page_url(self) -> str:
        url = self.cleaned_data["page_url"].strip()
        _no_markup(url, "问题页面网址")
        try:
            URLValidator(schemes=["http", "https"])(url)
        except forms.ValidationError:
            raise forms.ValidationError("问题页面网址格式不正确，应以 http:// 或 https:// 开头") from None
        return url

    def clean_description(self) -> str:
        text = self.cleaned_data["description"].strip()
        lo, hi = int(conf.get("DESCRIPTION_MIN")), int(conf.get("DESCRIPTION_MAX"))
        if len(text) < lo:
            raise forms.ValidationError(f"问题描述太短（{len(text)} 字），请至少写 {lo} 个字")
        if len(text) > hi:
            raise forms.ValidationError(f"问题描述太长（{len(text)} 字），最多 {hi} 个字")
        return _no_markup(text, "问题描述")

    def clean_contact(self) -> str:
        text = self.cleaned_data["contact"].strip()
        hi = int(conf.get("CONTACT_MAX"))
        if len(text) > hi:
            raise forms.ValidationError(f"联系方式太长，最多 {hi} 个字")
        return _no_markup(text, "联系方式")

    def clean_site_query(self) -> str:
        return _no_markup(self.cleaned_data["site_query"].strip(), "网站")

    def clean_site_code(self) -> str:
        return _no_markup(self.cleaned_data["site_code"].strip(), "网站标识码")
