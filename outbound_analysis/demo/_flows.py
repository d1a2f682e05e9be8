"""Conversation path templates: the steps a conversation of each campaign with events can
follow, one function per flow family, with the weight of each path.

Each template is a sequence of steps with relative time gaps; the model expands one template
per conversation (see ``_catalog`` for the flattened arrays).
"""

from __future__ import annotations

from collections.abc import Sequence

# A step: (gap_s, autor, mensaje, nodo, opcion, tipificacion, etiqueta, kind). gap_s is
# the typical delay after the previous step: bot gaps are kept exactly (0 = same second,
# a tie), cliente/agente gaps are scaled per conversation.

BOT, CLI, AGT = 0, 1, 2
ASSIGN, GREET = 1, 2  # kind bits: the conversation is assigned here / agent greeting

Step = tuple[float, int, str | None, str | None, str | None, str | None, str | None, int]


def _bot(
    msg: str | None,
    nodo: str | None = None,
    gap: float = 2,
    tip: str | None = None,
    et: str | None = None,
    kind: int = 0,
) -> Step:
    return (gap, BOT, msg, nodo, None, tip, et, kind)


def _cli(msg: str, opcion: str | None = None, gap: float = 150) -> Step:
    return (gap, CLI, msg, None, opcion, None, None, 0)


def _agt(
    msg: str | None = None, gap: float = 90, tip: str | None = None, et: str | None = None, kind: int = 0
) -> Step:
    return (gap, AGT, msg, None, None, tip, et, kind)


def _greet(assign: bool = False) -> Step:
    """The agent's greeting; its text names the agent the conversation got."""
    return _agt(None, gap=240, kind=GREET | (ASSIGN if assign else 0))


_ASESOR = "Te comunicamos con un asesor. En breve te responde."
_REPROMPT = "Por favor, elegí una de las opciones del menú."

Branches = list[tuple[float, list[Step]]]


def _flow(
    inicio: str,
    menu: str,
    options: list[tuple[str, float, Branches]],
    free_texts: Sequence[str],
    p_no_reply: float = 0.38,
    p_free: float = 0.2,
) -> Branches:
    """Expand a flow (greeting, menu, options with weighted branches) into path templates."""
    prefix = [_bot(inicio, "inicio", gap=0), _bot(menu, "menu_principal", gap=2)]
    reprompt = _bot(_REPROMPT, "menu_principal")
    out: Branches = [(p_no_reply, prefix)]
    p_reply = 1 - p_no_reply
    k = len(free_texts)
    for opt, w_opt, branches in options:
        for w_b, steps in branches:
            w = p_reply * w_opt * w_b
            out.append((w * (1 - p_free), [*prefix, _cli(opt, opt), *steps]))
            for ft in free_texts:  # free text first, then the option
                out.append(
                    (
                        w * p_free * 0.85 / k,
                        [*prefix, _cli(ft, gap=240), reprompt, _cli(opt, opt, gap=60), *steps],
                    )
                )
    for ft in free_texts:  # free text, re-prompt, never an option: abandono at the menu
        out.append((p_reply * p_free * 0.15 / k, [*prefix, _cli(ft, gap=240), reprompt]))
    return out


def _asignacion() -> list[Step]:
    """The bot hands the conversation to an asesor (the assignment step)."""
    return [_bot(_ASESOR, "asignacion", kind=ASSIGN)]


# ---------------------------------------------------------------------------------------
# Recupero de carrito
# ---------------------------------------------------------------------------------------


def _carrito_ofertas() -> Branches:
    """Carrito, option "Ver ofertas": browse, pay by card (link) or cash (asesor)."""
    asignacion = _asignacion()
    ofertas = [
        _bot("Tenés 20% de descuento en los productos de tu carrito.", "ofertas", et="interés medio"),
        _bot("¿Querés ver más ofertas?", "ofertas", gap=0),
    ]
    pagar = [
        _cli("Sí, quiero comprar", "Sí, quiero comprar"),
        _bot("¡Genial! ¿Cómo preferís pagar?", "medio_pago", et="interés alto"),
    ]
    link = "Te enviamos el link de pago: tiendademo.com.ar/pagar"
    return [
        (0.30, ofertas),
        (
            0.12,
            [
                *ofertas,
                _cli("No, gracias", "No, gracias"),
                _bot(
                    "¡Gracias! Te esperamos cuando quieras.",
                    "cierre",
                    tip="Consulta resuelta por bot",
                    et="interés bajo",
                ),
            ],
        ),
        (0.58 * 0.20, [*ofertas, *pagar]),
        (
            0.58 * 0.35,
            [
                *ofertas,
                *pagar,
                _cli("Tarjeta", "Tarjeta"),
                _bot(link, "link_pago", tip="Derivado a la web", et="pago con tarjeta"),
            ],
        ),
        (
            0.58 * 0.30,
            [
                *ofertas,
                *pagar,
                _cli("Efectivo", "Efectivo"),
                _bot(_ASESOR, "asignacion", et="pago en efectivo", kind=ASSIGN),
                _greet(),
                _cli("Quiero pagar en efectivo en el local"),
                _agt("Perfecto, te reservo el pedido para que lo retires.", tip="Venta concretada"),
            ],
        ),
        (
            0.58 * 0.15,
            [
                *ofertas,
                *pagar,
                _cli("Tarjeta", "Tarjeta"),
                _bot(link, "link_pago", tip="Derivado a la web", et="pago con tarjeta"),
                _cli("No me anda el link"),
                *asignacion,
                _greet(),
                _agt("Ya te generé un link nuevo, probá de nuevo."),
                _cli("¡Listo, pagado!"),
                _agt("¡Gracias por tu compra!", gap=30, tip="Venta concretada"),
            ],
        ),
    ]


def _carrito_asesor() -> Branches:
    """Carrito, option "Hablar con un asesor": sales, follow-ups and a change of mind."""
    asignacion = _asignacion()
    venta_stock = [
        _greet(),
        _cli("¿Tienen stock del talle M?"),
        _agt("Sí, hay stock. ¿Te lo reservo?"),
        _cli("Sí, dale"),
        _agt("¡Listo! Ya quedó reservada tu compra.", tip="Venta concretada"),
    ]
    return [
        (0.10, asignacion),  # assigned, no agent reply yet
        (0.30, [*asignacion, *venta_stock]),
        (
            0.20,
            [
                *asignacion,
                _greet(),
                _cli("Quería consultar por el envío"),
                _agt("Te escribo mañana con el costo de envío.", tip="Volver a contactar"),
            ],
        ),
        (
            0.15,
            [
                *asignacion,
                _greet(),
                _cli("¿Tienen stock del talle M?"),
                _agt("Te escribo mañana con el stock actualizado.", tip="Volver a contactar"),
                _agt("¡Hola! Ya tenemos stock del talle M.", gap=86_400),
                _cli("Genial, lo compro"),
                _agt("¡Gracias por tu compra!", tip="Venta concretada"),
            ],
        ),
        (
            0.15,
            [
                *asignacion,
                _greet(),
                _cli("Ya lo compré en otro lado"),
                _agt("Entendido, gracias por avisar.", tip="No interesado"),
            ],
        ),
        (
            0.05,
            [
                *asignacion,
                *venta_stock,
                _cli("Al final no lo quiero, disculpá"),
                _agt("No hay problema, te escribo la semana que viene.", tip="Volver a contactar"),
            ],
        ),
        (
            0.05,
            [
                *asignacion,
                _greet(),
                _agt("Te escribo más tarde con la info.", gap=60, tip="Volver a contactar"),
                _cli("Dale"),
                _agt("¿Pudiste ver la propuesta?", gap=7200, tip="Volver a contactar"),
            ],
        ),
    ]


def _carrito() -> Branches:
    """The "Recupero de carrito" flow."""
    link_carrito = "Te dejamos el link para terminar tu compra: tiendademo.com.ar/carrito"
    finalizar: Branches = [
        (0.8, [_bot(link_carrito, "link_pago", tip="Derivado a la web")]),
        (
            0.2,
            [
                _bot(link_carrito, "link_pago", tip="Derivado a la web"),
                _cli("No me llegó el link"),
                _bot("Te lo reenviamos: tiendademo.com.ar/carrito", "link_pago", tip="Derivado a la web"),
            ],
        ),
    ]
    baja = _bot("Listo, no vas a recibir más mensajes de esta campaña.", "baja", tip="Baja de la lista")
    return _flow(
        "¡Hola! Vimos que dejaste productos en tu carrito de Tienda Demo.",
        "¿Qué querés hacer? 1. Ver ofertas 2. Finalizar compra 3. Hablar con un asesor 4. Dar de baja",
        [
            ("Ver ofertas", 0.40, _carrito_ofertas()),
            ("Finalizar compra", 0.15, finalizar),
            ("Hablar con un asesor", 0.30, _carrito_asesor()),
            ("Dar de baja", 0.15, [(1.0, [baja])]),
        ],
        ("hola", "?", "Buenas, ¿qué es esto?"),
    )


# ---------------------------------------------------------------------------------------
# Encuesta de satisfacción
# ---------------------------------------------------------------------------------------


def _encuesta_mala() -> Branches:
    """Encuesta, answer "Mala": a complaint, optionally passed to Atención al cliente."""
    reclamo = [_bot("Lamentamos lo ocurrido. ¿Querés que te contacte un asesor?", "reclamo")]
    return [
        (0.25, reclamo),
        (
            0.50,
            [
                *reclamo,
                _cli("Sí", "Sí"),
                _bot("Te comunicamos con un asesor de Atención al cliente.", "asignacion", kind=ASSIGN),
                _greet(),
                _cli("El producto llegó roto"),
                _agt("Te enviamos uno nuevo sin cargo. Te aviso cuando salga.", tip="Volver a contactar"),
            ],
        ),
        (
            0.25,
            [
                *reclamo,
                _cli("No", "No"),
                _bot("Entendido. ¡Gracias por avisarnos!", "cierre", tip="Consulta resuelta por bot"),
            ],
        ),
    ]


def _encuesta() -> Branches:
    """The "Encuesta de satisfacción" flow."""
    gracias = _bot("¡Gracias! Lo vamos a tener en cuenta.", "gracias", tip="Consulta resuelta por bot")
    muy_buena = _bot(
        "¡Gracias por tu respuesta! Nos alegra que te haya gustado.",
        "gracias",
        tip="Consulta resuelta por bot",
    )
    mejorar = _bot("Contanos qué podemos mejorar.", "comentario")
    return _flow(
        "¡Hola! Queremos saber cómo fue tu experiencia con tu última compra.",
        "¿Cómo calificarías nuestra atención? Opciones: Muy buena, Regular, Mala",
        [
            ("Muy buena", 0.5, [(1.0, [muy_buena])]),
            ("Regular", 0.3, [(0.4, [mejorar]), (0.6, [mejorar, _cli("La entrega tardó mucho"), gracias])]),
            ("Mala", 0.2, _encuesta_mala()),
        ],
        ("hola", "?", "Buenas, ¿quién habla?"),
        p_no_reply=0.40,
    )


# ---------------------------------------------------------------------------------------
# Bienvenida Instagram
# ---------------------------------------------------------------------------------------


def _instagram_ofertas() -> Branches:
    """Instagram, option "Ver ofertas": the catalogue on the web or a sale by an asesor."""
    ofertas_ig = [
        _bot("Mirá las ofertas de la semana en nuestro perfil.", "ofertas", et="interés medio"),
        _bot("¿Querés ver más ofertas?", "ofertas", gap=0),
    ]
    return [
        (0.40, ofertas_ig),
        (
            0.45,
            [
                *ofertas_ig,
                _cli("Sí", "Sí"),
                _bot(
                    "Entrá a tiendademo.com.ar/ofertas para ver todo el catálogo.",
                    "catalogo",
                    tip="Derivado a la web",
                    et="interés alto",
                ),
            ],
        ),
        (
            0.15,
            [
                *ofertas_ig,
                _cli("Quiero comprar", "Quiero comprar"),
                _bot(_ASESOR, "asignacion", et="interés alto", kind=ASSIGN),
                _greet(),
                _cli("¿Hacen envíos a Córdoba?"),
                _agt("Sí, el envío es gratis. Ya te cargo el pedido.", tip="Venta concretada"),
            ],
        ),
    ]


def _instagram_pedido() -> Branches:
    """Instagram, option "Estado de mi pedido": the bot looks the order up by its number."""
    pedido = [_bot("Ingresá tu número de pedido", "pedido")]
    return [
        (0.35, pedido),
        (
            0.50,
            [
                *pedido,
                _cli("48213"),
                _bot(
                    "Tu pedido está en camino y llega en 48 horas.",
                    "pedido_estado",
                    tip="Consulta resuelta por bot",
                ),
            ],
        ),
        (
            0.15,
            [
                *pedido,
                _cli("no lo tengo"),
                _bot("Sin el número no podemos buscarlo. Revisá el mail de confirmación.", "pedido"),
            ],
        ),
    ]


def _instagram_asesor() -> Branches:
    """Instagram, option "Hablar con un asesor"."""
    asignacion = _asignacion()
    return [
        (
            0.5,
            [
                *asignacion,
                _greet(),
                _cli("Quiero cambiar un producto"),
                _agt("Te paso los pasos por mail y te escribo mañana.", tip="Volver a contactar"),
            ],
        ),
        (
            0.3,
            [
                *asignacion,
                _greet(),
                _cli("Me equivoqué, perdón"),
                _agt("No hay problema, ¡saludos!", tip="No interesado"),
            ],
        ),
        (
            0.2,
            [
                *asignacion,
                _greet(),
                _cli("Quiero comprar la campera"),
                _agt("¡Listo! Te mando el link.", tip="Venta concretada"),
            ],
        ),
    ]


def _instagram() -> Branches:
    """The "Bienvenida Instagram" flow."""
    return _flow(
        "¡Hola! Gracias por seguirnos en Instagram.",
        "¿Qué querés hacer? Opciones: Ver ofertas, Estado de mi pedido, Hablar con un asesor",
        [
            ("Ver ofertas", 0.45, _instagram_ofertas()),
            ("Estado de mi pedido", 0.35, _instagram_pedido()),
            ("Hablar con un asesor", 0.20, _instagram_asesor()),
        ],
        ("hola", "?", "info"),
        p_no_reply=0.36,
    )


# ---------------------------------------------------------------------------------------
# Recordatorio de pago
# ---------------------------------------------------------------------------------------


def _recordatorio() -> Branches:
    """The "Recordatorio de pago" template: not a flow, so replies and agents but no nodos."""
    aviso = [
        _bot(
            "Hola, te recordamos que tu cuota vence esta semana. Podés pagarla en tiendademo.com.ar/pagos.",
            gap=0,
        )
    ]
    return [
        (0.72, aviso),
        (0.10, [*aviso, _cli("Ya pagué, gracias", gap=1800)]),
        (
            0.09,
            [
                *aviso,
                _cli("¿Puedo pagar en efectivo?", gap=1800),
                _greet(assign=True),
                _cli("El viernes pago en el local"),
                _agt("Perfecto, lo dejo registrado.", tip="Pago comprometido", et="pago en efectivo"),
            ],
        ),
        (
            0.04,
            [
                *aviso,
                _cli("¿Puedo pagar con tarjeta?", gap=1800),
                _greet(assign=True),
                _agt("Sí, podés pagar con tarjeta en el link.", et="pago con tarjeta"),
                _cli("Listo, pagado"),
                _agt(None, gap=0, tip="Pago comprometido"),
            ],
        ),
        (
            0.03,
            [
                *aviso,
                _cli("Este número no es de esa persona", gap=1800),
                _greet(assign=True),
                _agt("Disculpá la molestia, lo corregimos.", tip="Número equivocado"),
            ],
        ),
        (
            0.02,
            [
                *aviso,
                _cli("No voy a pagar", gap=1800),
                _greet(assign=True),
                _agt("Entendido.", tip="No interesado"),
            ],
        ),
    ]


def templates() -> dict[str, Branches]:
    """Path templates of the campaigns that have events, by campaign name."""
    return {
        "Recupero de carrito": _carrito(),
        "Encuesta de satisfacción": _encuesta(),
        "Bienvenida Instagram": _instagram(),
        "Recordatorio de pago": _recordatorio(),
    }
