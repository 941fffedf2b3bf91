from django import forms

from .models import Option


class OptionCreateForm(forms.Form):
    code = forms.RegexField(
        label="Code",
        max_length=64,
        regex=r"^[A-Za-z0-9_]+$",
        help_text="Lettres sans accent, chiffres et « _ » ; stocké dans les données, il ne changera plus.",
        error_messages={"invalid": "Le code ne peut contenir que des lettres sans accent, des chiffres et « _ »."},
    )
    label = forms.CharField(label="Libellé", max_length=255)

    def __init__(self, *args, option_list, **kwargs):
        super().__init__(*args, **kwargs)
        self.option_list = option_list
        if option_list.code == "sous_thematiques_par_axe":
            self.fields["parent"] = forms.ModelChoiceField(
                label="Axe",
                queryset=Option.objects.of_list("axes_pacte").active(),
                error_messages={"required": "Choisissez l’axe de la sous-thématique."},
            )

    def clean_code(self):
        code = self.cleaned_data["code"].upper()
        if self.option_list.options.filter(code=code).exists():
            raise forms.ValidationError(f"Le code « {code} » existe déjà dans cette liste.")
        return code


class OptionUpdateForm(forms.ModelForm):
    class Meta:
        model = Option
        fields = ["label", "short_label", "order"]
