import i18next, { type i18n } from 'i18next';
import { LANGUAGES } from '../../core/config';

/** The messages a customer receives, by kind. Values: {{number}}, {{code}}, {{store}}, {{hours}}, {{minutes}}, {{token}}. */
const resources = {
  en: {
    translation: {
      ORDER_PLACED: { subject: 'Order {{number}} confirmed', body: 'Thank you! We have your order {{number}}.' },
      ORDER_PLACED_PICKUP: {
        subject: 'Order {{number}} confirmed',
        body: 'Thank you! We have your order {{number}}. We will tell you when it is ready at {{store}}. Your pickup code: {{code}}',
      },
      ORDER_READY_FOR_PICKUP: {
        subject: 'Order {{number}} is ready for pickup',
        body: 'Your order {{number}} is ready at {{store}}. Show this code at the counter: {{code}}',
      },
      PICKUP_REMINDER: {
        subject: 'Order {{number}} is waiting for you',
        body: 'Your order {{number}} is waiting at {{store}} for {{hours}} more hours. Your pickup code: {{code}}',
      },
      ORDER_CANCELLED: { subject: 'Order {{number}} cancelled', body: 'Your order {{number}} was cancelled. Any payment taken is given back.' },
      ORDER_EXPIRED: {
        subject: 'Order {{number}} expired',
        body: 'Your order {{number}} was not collected in time and has been cancelled. Any payment taken is given back.',
      },
      PASSWORD_RESET: {
        subject: 'Reset your password',
        body: 'Someone asked to reset the password of your account. To choose a new one, use this code in the next {{minutes}} minutes: {{token}}\nIf it was not you, ignore this e-mail: your password stays as it is.',
      },
    },
  },
  it: {
    translation: {
      ORDER_PLACED: { subject: 'Ordine {{number}} confermato', body: 'Grazie! Abbiamo ricevuto il tuo ordine {{number}}.' },
      ORDER_PLACED_PICKUP: {
        subject: 'Ordine {{number}} confermato',
        body: 'Grazie! Abbiamo ricevuto il tuo ordine {{number}}. Ti avviseremo quando sarà pronto presso {{store}}. Il tuo codice di ritiro: {{code}}',
      },
      ORDER_READY_FOR_PICKUP: {
        subject: 'Il tuo ordine {{number}} è pronto per il ritiro',
        body: 'Il tuo ordine {{number}} ti aspetta presso {{store}}. Mostra questo codice alla cassa: {{code}}',
      },
      PICKUP_REMINDER: {
        subject: 'Il tuo ordine {{number}} ti aspetta',
        body: 'Il tuo ordine {{number}} ti aspetta presso {{store}} ancora per {{hours}} ore. Il tuo codice di ritiro: {{code}}',
      },
      ORDER_CANCELLED: {
        subject: 'Ordine {{number}} annullato',
        body: 'Il tuo ordine {{number}} è stato annullato. Ogni pagamento ricevuto ti sarà restituito.',
      },
      ORDER_EXPIRED: {
        subject: 'Ordine {{number}} scaduto',
        body: 'Il tuo ordine {{number}} non è stato ritirato in tempo ed è stato annullato. Ogni pagamento ricevuto ti sarà restituito.',
      },
      PASSWORD_RESET: {
        subject: 'Reimposta la tua password',
        body: 'È stato chiesto di reimpostare la password del tuo account. Per sceglierne una nuova, usa questo codice entro {{minutes}} minuti: {{token}}\nSe non sei stato tu, ignora questa e-mail: la tua password non cambia.',
      },
    },
  },
  ca: {
    translation: {
      ORDER_PLACED: { subject: 'Comanda {{number}} confirmada', body: 'Gràcies! Hem rebut la teva comanda {{number}}.' },
      ORDER_PLACED_PICKUP: {
        subject: 'Comanda {{number}} confirmada',
        body: "Gràcies! Hem rebut la teva comanda {{number}}. T'avisarem quan estigui a punt a {{store}}. El teu codi de recollida: {{code}}",
      },
      ORDER_READY_FOR_PICKUP: {
        subject: 'La teva comanda {{number}} està a punt per recollir',
        body: "La teva comanda {{number}} t'espera a {{store}}. Mostra aquest codi al taulell: {{code}}",
      },
      PICKUP_REMINDER: {
        subject: "La teva comanda {{number}} t'espera",
        body: "La teva comanda {{number}} t'espera a {{store}} durant {{hours}} hores més. El teu codi de recollida: {{code}}",
      },
      ORDER_CANCELLED: { subject: 'Comanda {{number}} cancel·lada', body: "La teva comanda {{number}} s'ha cancel·lat. Et retornarem qualsevol pagament." },
      ORDER_EXPIRED: {
        subject: 'Comanda {{number}} caducada',
        body: "La teva comanda {{number}} no s'ha recollit a temps i s'ha cancel·lat. Et retornarem qualsevol pagament.",
      },
      PASSWORD_RESET: {
        subject: 'Restableix la contrasenya',
        body: 'Algú ha demanat restablir la contrasenya del teu compte. Per triar-ne una de nova, fes servir aquest codi en els propers {{minutes}} minuts: {{token}}\nSi no has estat tu, ignora aquest correu: la contrasenya no canvia.',
      },
    },
  },
  pl: {
    translation: {
      ORDER_PLACED: { subject: 'Zamówienie {{number}} potwierdzone', body: 'Dziękujemy! Otrzymaliśmy Twoje zamówienie {{number}}.' },
      ORDER_PLACED_PICKUP: {
        subject: 'Zamówienie {{number}} potwierdzone',
        body: 'Dziękujemy! Otrzymaliśmy Twoje zamówienie {{number}}. Damy znać, gdy będzie gotowe do odbioru w {{store}}. Twój kod odbioru: {{code}}',
      },
      ORDER_READY_FOR_PICKUP: {
        subject: 'Zamówienie {{number}} jest gotowe do odbioru',
        body: 'Twoje zamówienie {{number}} czeka w {{store}}. Pokaż ten kod przy kasie: {{code}}',
      },
      PICKUP_REMINDER: {
        subject: 'Zamówienie {{number}} czeka na Ciebie',
        body: 'Twoje zamówienie {{number}} czeka w {{store}} jeszcze {{hours}} godz. Twój kod odbioru: {{code}}',
      },
      ORDER_CANCELLED: { subject: 'Zamówienie {{number}} anulowane', body: 'Twoje zamówienie {{number}} zostało anulowane. Zwrócimy każdą pobraną płatność.' },
      ORDER_EXPIRED: {
        subject: 'Zamówienie {{number}} wygasło',
        body: 'Twoje zamówienie {{number}} nie zostało odebrane na czas i zostało anulowane. Zwrócimy każdą pobraną płatność.',
      },
      PASSWORD_RESET: {
        subject: 'Zresetuj hasło',
        body: 'Ktoś poprosił o zresetowanie hasła do Twojego konta. Aby ustawić nowe, użyj tego kodu w ciągu {{minutes}} min: {{token}}\nJeśli to nie Ty, zignoruj tę wiadomość: Twoje hasło się nie zmieni.',
      },
    },
  },
} satisfies Record<(typeof LANGUAGES)[number], unknown>;

/** The kinds of message sent for each event type. */
export const MESSAGE_KINDS = ['ORDER_PLACED', 'ORDER_READY_FOR_PICKUP', 'PICKUP_REMINDER', 'ORDER_CANCELLED', 'ORDER_EXPIRED', 'PASSWORD_RESET'] as const;

let instance: i18n | undefined;
function translator(): i18n {
  if (!instance) {
    instance = i18next.createInstance();
    // Synchronous with inline resources; messages are plain text, so nothing is HTML-escaped.
    void instance.init({
      resources,
      fallbackLng: 'en',
      supportedLngs: [...LANGUAGES],
      interpolation: { escapeValue: false },
      initAsync: false,
      showSupportNotice: false,
    } as Parameters<i18n['init']>[0]);
  }
  return instance;
}

export interface MessageValues {
  number: string;
  code?: string;
  store?: string;
  hours?: number;
  minutes?: number;
  token?: string;
}

/** Subject and text of a message in the customer's language (English when it has none). */
export function render(kind: string, language: string, values: MessageValues): { subject: string; text: string } {
  const t = translator().getFixedT(language);
  const key = kind === 'ORDER_PLACED' && values.code ? 'ORDER_PLACED_PICKUP' : kind;
  return { subject: t(`${key}.subject`, { ...values }), text: t(`${key}.body`, { ...values }) };
}
