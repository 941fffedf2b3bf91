from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.template.loader import render_to_string

from pilotactions.core.tasks import email_send_on_commit

from .enums import RoleKind
from .models import Organisation


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique",
        help_text="Format attendu : prenom.nom@domaine.fr",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Mot de passe", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect. Vérifiez votre saisie, ou réinitialisez votre mot de passe.",
        "inactive": "Ce compte est désactivé. Adressez-vous à l’administrateur de votre organisation.",
    }


class PasswordChoiceForm(forms.Form):
    """Choose a password (invitation); the same validators as everywhere."""

    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 12 caractères, pas uniquement des chiffres, ni un mot de passe courant.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif data.get("password1"):
            try:
                password_validation.validate_password(data["password1"], self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class FrenchSetPasswordForm(SetPasswordForm):
    error_messages = {"password_mismatch": "Les deux mots de passe ne sont pas identiques."}


class FrenchPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label="Adresse électronique", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        """Through the task queue, like every e-mail: the answer takes as long whether the address exists."""
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        email_send_on_commit(subject=subject, body=body, recipients=[to_email])


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique professionnelle")
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    role_kind = forms.ChoiceField(label="Rôle")
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        error_messages={"invalid_choice": "Cette organisation n’est pas dans votre périmètre."},
    )

    def __init__(self, *args, role_kinds, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role_kind"].choices = [(k, RoleKind(k).label) for k in role_kinds]
        self.fields["organisation"].queryset = organisations.select_related("region", "departement", "authority")
        self.fields["organisation"].label_from_instance = lambda o: f"{o.name}"


class AccessRequestAcceptForm(forms.Form):
    """The role and the organisation (its territory is the perimeter) given to the agent who asked."""

    role_kind = forms.ChoiceField(label="Rôle accordé")
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        help_text="Le périmètre du rôle est le territoire de cette organisation.",
        error_messages={"invalid_choice": "Cette organisation n’est pas dans votre périmètre."},
    )

    def __init__(self, *args, role_kinds, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role_kind"].choices = [(k, RoleKind(k).label) for k in role_kinds]
        self.fields["organisation"].queryset = organisations


class DeactivationForm(forms.Form):
    reason = forms.CharField(
        label="Motif", max_length=255, help_text="Par exemple : changement de poste, départ de la collectivité."
    )


class DigestPreferenceForm(forms.Form):
    enabled = forms.BooleanField(
        label="Recevoir chaque matin le récapitulatif de mes tâches par courriel",
        help_text="Un seul courriel par jour au plus, et seulement quand une tâche vous attend.",
        required=False,
    )


class SecondFactorCodeForm(forms.Form):
    """A code of the authenticator app (6 digits) or a backup code (8 characters)."""

    code = forms.CharField(
        label="Code de vérification",
        max_length=32,
        help_text="Le code à 6 chiffres affiché par votre application, ou l’un de vos codes de secours.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
        error_messages={"required": "Saisissez le code à 6 chiffres de votre application, ou un code de secours."},
    )
